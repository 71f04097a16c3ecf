import type {Progress} from './progress.js';

// The one event stream of a runbook run (STYLE.md principle 3): the Ink TUI, the plain reporter and the JSON-lines
// reporter all draw these, and the evidence records every one of them.

export type Phase = 'prerequisite' | 'execute' | 'dry-run' | 'verify' | 'rollback';
export type ConfirmationPolicy = 'none' | 'confirm' | 'type-to-confirm';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'aborted' | 'unavailable';

export type StepSummary = {
	readonly id: string;
	readonly number: number;
	readonly title: string;
	readonly phase: Phase;
	readonly confirmation: ConfirmationPolicy;
	/** The word to type for type-to-confirm steps (`backfill`, `migrate`, `rollback`). */
	readonly word?: string;
	readonly status: StepStatus;
	readonly metrics?: Record<string, number>;
	/** The figures worth showing next to the finished step (from the runbook). */
	readonly keyMetrics?: readonly string[];
};

export type StepError = {readonly code: number; readonly message: string; readonly hint: string | null};

export type RunEvent =
	| {readonly type: 'run-started'; readonly runId: string; readonly resumed: boolean; readonly evidenceDir: string; readonly steps: readonly StepSummary[]}
	| {readonly type: 'step-started'; readonly step: string; readonly number: number; readonly title: string; readonly phase: Phase}
	| {readonly type: 'awaiting-approval'; readonly step: string; readonly request: ApprovalRequest}
	| {readonly type: 'approval'; readonly step: string; readonly answer: Decision['answer']; readonly by: string; readonly reason?: string}
	| {readonly type: 'step-progress'; readonly step: string; readonly progress: Progress}
	| {readonly type: 'throttled'; readonly step: string; readonly reason: string; readonly waitMs: number}
	| {readonly type: 'warning'; readonly step: string | null; readonly message: string}
	| {readonly type: 'drift-detected'; readonly step: string; readonly drift: Record<string, [number, number]>}
	| {readonly type: 'step-finished'; readonly step: string; readonly metrics: Record<string, number>; readonly durationMs: number; readonly jobRunId: string | null}
	| {readonly type: 'step-failed'; readonly step: string; readonly error: StepError}
	| {readonly type: 'step-skipped'; readonly step: string; readonly reason: string}
	| {readonly type: 'rollback-started'; readonly step: string; readonly runs: readonly string[]}
	| {readonly type: 'run-finished'; readonly status: 'succeeded' | 'failed' | 'aborted'; readonly exitCode: number};

export type ApprovalRequest = {
	readonly step: string;
	readonly number: number;
	readonly title: string;
	readonly phase: Phase;
	readonly policy: ConfirmationPolicy;
	readonly word?: string;
	/** The dry run's metrics for this step's job, shown beside the live counters. */
	readonly planned?: Record<string, number>;
	/** What the step is about to do, in one or two sentences. */
	readonly description: string;
};

export type Decision = {
	readonly answer: 'run' | 'skip' | 'abort';
	readonly reason?: string;
	readonly by: string;
	/** Non-interactive refusals (a missing --backup-ack) fail the step with this exit code and hint. */
	readonly exitCode?: number;
	readonly hint?: string;
};

export type FailureRequest = {readonly step: string; readonly error: StepError; readonly rollbackAvailable: boolean};
export type FailureChoice = 'retry' | 'rollback' | 'quit';

export type DriftRequest = {readonly step: string; readonly drift: Record<string, [number, number]>; readonly phase?: 'before-first-write' | 'after'};
export type DriftChoice = 'accept' | 'rollback' | 'quit';

/** The operator port: the TUI answers from prompts, `run --yes` from flags, tests from a script. */
export type Operator = {
	decide(request: ApprovalRequest): Promise<Decision>;
	onFailure(request: FailureRequest): Promise<FailureChoice>;
	onDrift(request: DriftRequest): Promise<DriftChoice>;
};

export type RunResult = {
	readonly runId: string;
	readonly status: 'succeeded' | 'failed' | 'aborted';
	readonly exitCode: number;
	readonly evidenceDir: string;
	readonly steps: ReadonlyArray<{readonly id: string; readonly status: Exclude<StepStatus, 'running' | 'unavailable'>; readonly metrics: Record<string, number>; readonly run_id: string | null; readonly error: StepError | null; readonly duration_ms: number | null; readonly reason?: string}>;
};
