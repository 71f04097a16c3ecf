import type {z} from 'zod';
import type {PlatformSettings} from '../core/platform-settings.js';
import type {Profile} from '../db/database-url.js';
import type {UndoRow} from '../db/bookkeeping/undo-journal.js';
import type {Database} from '../db/orm.js';
import type {Sql} from '../db/sql.js';
import type {BatchFigures, BatchRunResult, BatchSource} from './batch-runner.js';
import type {Progress} from './progress.js';

export type JobMode = 'dry-run' | 'execute' | 'rollback';

/** The runbook session a job step runs in, as the job may see it (notify's summary, rollback's target). */
export type SessionView = {
	readonly runId: string;
	readonly evidenceDir: string;
	readonly steps: ReadonlyArray<{readonly id: string; readonly job: string; readonly status: string; readonly metrics: Readonly<Record<string, number>>; readonly jobRunId: string | null}>;
};

/** Everything a job may use; no process, no console, no Ink (STYLE.md "jobs/"). */
export type JobContext<Params> = {
	readonly database: Database;
	readonly params: Params;
	readonly mode: JobMode;
	/** This run's id (a dry run has one too, for its evidence folder; it leaves no runbook_runs row). */
	readonly runId: string;
	readonly profile: Profile;
	readonly appRoot: string;
	/** The platform's time zone, keys and encrypted-column mode (DESIGN.md §2), resolved once by the caller. */
	readonly platform: PlatformSettings;
	/** The run's start, fixed once: joined_at fallback, synced_at, relative --since (on a resume: the first start). */
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
	/** The runbook session this step belongs to; null for a single job command. */
	readonly session: SessionView | null;
	/** Persists job state (e.g. a resolved --since, a work-set bound) so a resume sees the same values. */
	readonly saveState: (state: Record<string, unknown>) => Promise<void>;
	/**
	 * Called once the work set is fixed and before the first write, with the figures the dry run must agree on
	 * (DESIGN.md §6 "Dry-run fidelity"): a difference stops the step here, with nothing written.
	 */
	readonly workSetFixed: (figures: Readonly<Record<string, number>>) => Promise<void>;
	/** The engine's batch loop bound to this run: checkpoints, undo rows, progress, throttle, abort (read-only in a dry run). */
	readonly runBatches: (sources: readonly BatchSource[], options: {readonly batchSize: number; readonly initialMetrics: Record<string, number>}) => Promise<BatchRunResult>;
	/** A one-shot job's writes: one transaction with its undo rows and the checkpoint of its metrics. */
	readonly commit: <T>(work: (tx: Sql) => Promise<{readonly value: T; readonly metrics: Record<string, number>; readonly undo: readonly UndoRow[]}>) => Promise<T>;
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
};

export type JobResult = {
	readonly metrics: Record<string, number>;
	readonly warnings?: readonly string[];
	/** A few example rows for the evidence (ids, before/after). */
	readonly samples?: readonly unknown[];
	/** Per-batch figures for the evidence chart. */
	readonly batches?: readonly BatchFigures[];
	/** Anything else worth keeping in the step's evidence. */
	readonly details?: Record<string, unknown>;
	/** Parameters the job resolved at its start (e.g. an absolute --since), which a later step may reuse. */
	readonly resolved?: Record<string, unknown>;
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
	/** Validates raw CLI/runbook params (strings or typed values) into Params; failures are usage errors. Flags carry `.meta({flag})`. */
	readonly parameters: z.ZodType<Params>;
	readonly semanticParams: (params: Params) => Record<string, unknown>;
	/** Tables the job touches, for before/after snapshots. */
	readonly touches: readonly string[] | ((context: JobContext<Params>) => Promise<readonly string[]>);
	readonly check: (context: JobContext<Params>) => Promise<CheckResult>;
	readonly plan: (context: JobContext<Params>) => Promise<JobResult>;
	readonly execute: (context: JobContext<Params>) => Promise<JobResult>;
	readonly verify?: (context: JobContext<Params>) => Promise<JobResult>;
	/** Batch jobs continue an interrupted run of the same parameters; one-shot jobs always start afresh. */
	readonly resumable?: boolean;
	/** The run this job's run acts on, outside a session (rollback: its target), for runbook_runs.parent_run_id. */
	readonly parentRunOf?: (context: JobContext<Params>) => Promise<string | null>;
	/** Why the step should be skipped with these options (e.g. notify without a webhook), or null to run it. */
	readonly skipReason?: (options: JobOptions) => string | null;
};
