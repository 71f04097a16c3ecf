import type {DatabaseFingerprint} from '../db/fingerprint.js';
import type {Progress} from './progress.js';

// The engine talks to the outside world only through these (STYLE.md principle 2).

export type TableSnapshot = {readonly table: string; readonly rows: number; readonly checksum: string};

/** The run's evidence folder (implemented by source/evidence/evidence-folder.ts). */
export type EvidencePort = {
	readonly dir: string;
	appendEvent(event: {readonly step: string | null; readonly type: string; readonly data: unknown}): Promise<void>;
	flush(): Promise<void>;
	writeStep(number: number, stepId: string, record: Record<string, unknown>): Promise<string>;
	writeSnapshot(number: number, stepId: string, when: 'before' | 'after', snapshot: TableSnapshot[]): Promise<string>;
	finalize(extra?: Record<string, unknown>): Promise<string>;
};

export type DryRunLookup = (query: {
	readonly job: string;
	readonly semanticHash: string;
	readonly database: DatabaseFingerprint;
}) => Promise<PlannedRun | undefined>;

/** The dry run an execution is compared with (DESIGN.md §6 "Dry-run fidelity"). */
export type PlannedRun = {readonly runId: string; readonly metrics: Record<string, number>; readonly file: string; readonly finishedAt: string};

/** Asked before each batch; returns why to wait, or null to go on (DESIGN.md §6 "Throttle"). */
export type ThrottleProbe = () => Promise<{readonly wait: boolean; readonly reason: string | null}>;

export type EngineEvent =
	| {readonly type: 'step-progress'; readonly step: string; readonly progress: Progress}
	| {readonly type: 'throttled'; readonly step: string; readonly reason: string; readonly waitMs: number}
	| {readonly type: 'warning'; readonly step: string | null; readonly message: string}
	| {readonly type: string; readonly step: string | null; readonly [key: string]: unknown};

/** What reporters draw: engine events and runner events alike. */
export type AnyEvent = {readonly type: string; readonly [key: string]: unknown};
