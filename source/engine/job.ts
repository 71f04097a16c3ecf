import type {z} from 'zod';
import type {Database} from '../db/orm.js';
import type {Profile} from '../db/database-url.js';
import type {BatchRunResult, BatchSource} from './batch-runner.js';
import type {Progress} from './progress.js';

export type JobMode = 'dry-run' | 'execute' | 'rollback';

/** Everything a job may use; no process, no console, no Ink (STYLE.md "jobs/"). */
export type JobContext<Params> = {
	readonly database: Database;
	readonly params: Params;
	readonly runId: string;
	readonly profile: Profile;
	readonly appRoot: string;
	/** The run's start, fixed once: joined_at fallback, synced_at, relative --since. */
	readonly startedAt: Date;
	readonly signal: AbortSignal;
	readonly report: (progress: Progress) => void;
	readonly warn: (message: string) => void;
	/** SQL the job ran, with parameters, for the evidence (DESIGN.md §9). */
	readonly recordSql: (statement: string, parameters?: readonly unknown[]) => void;
	/** Environment the job may read (APP_FEATURE_FLAGS, RUNBOOK_API_URL…), injected by the CLI. */
	readonly env: Readonly<Record<string, string | undefined>>;
	/** Options of the CLI that some jobs need (throttle probes, adaptive batches, break-lock). */
	readonly options: JobOptions;
	/** Where an interrupted run of the same job stopped; null on a fresh start (and always for dry runs). */
	readonly checkpoint: Checkpoint | null;
	/** Persists job state (e.g. a resolved --since) so a resume sees the same values. */
	readonly saveState: (state: Record<string, unknown>) => Promise<void>;
	/** The engine's batch loop bound to this run: checkpoints, undo rows, progress, throttle, abort. */
	readonly runBatches: (sources: readonly BatchSource[], options: {readonly batchSize: number; readonly initialMetrics: Record<string, number>}) => Promise<BatchRunResult>;
};

export type Checkpoint = {
	readonly cursor: Readonly<Record<string, number>>;
	readonly metrics: Readonly<Record<string, number>>;
	readonly batchesDone: number;
	readonly state: Readonly<Record<string, unknown>>;
};

export type JobOptions = {
	readonly adaptive?: boolean;
	readonly restart?: boolean;
	readonly breakLock?: boolean;
	readonly replicaUrl?: string;
	readonly maxReplicaLag?: number;
	readonly queueUrl?: string;
	readonly maxQueueDepth?: number;
	readonly notifyWebhook?: string;
	readonly evidenceRoot?: string;
	/** A test hook: throw after this many committed batches (crash injection). */
	readonly crashAfterBatch?: number;
};

export type JobResult = {
	readonly metrics: Record<string, number>;
	readonly warnings?: readonly string[];
	/** A few example rows for the evidence (ids, before/after). */
	readonly samples?: readonly unknown[];
	/** Per-batch figures for the evidence chart. */
	readonly batches?: ReadonlyArray<{readonly seq: number; readonly source: string; readonly rows: number; readonly durationMs: number; readonly batchSize: number}>;
	/** Anything else worth keeping in the step's evidence. */
	readonly details?: Record<string, unknown>;
};

export type CheckResult = {
	readonly ok: boolean;
	readonly checks: ReadonlyArray<{readonly name: string; readonly ok: boolean; readonly detail: string}>;
};

/**
 * A job of DESIGN.md §3: five verbs over validated params. `semanticParams` are the params that change what the job
 * does (for the resume check and the drift check); batch and chunk sizes never belong there.
 */
export type Job<Params = Record<string, unknown>> = {
	readonly name: string;
	/** Validates raw CLI/runbook params (strings or typed values) into Params; failures are usage errors. */
	readonly parameters: z.ZodType<Params>;
	readonly semanticParams: (params: Params) => Record<string, unknown>;
	/** Tables the job touches, for before/after snapshots. */
	readonly touches: readonly string[];
	readonly check: (context: JobContext<Params>) => Promise<CheckResult>;
	readonly plan: (context: JobContext<Params>) => Promise<JobResult>;
	readonly execute: (context: JobContext<Params>) => Promise<JobResult>;
	readonly verify?: (context: JobContext<Params>) => Promise<JobResult>;
	/** Batch jobs continue an interrupted run of the same parameters; one-shot jobs always start afresh. */
	readonly resumable?: boolean;
	/** Why the step should be skipped with these options (e.g. notify without a webhook), or null to run it. */
	readonly skipReason?: (options: JobOptions) => string | null;
};
