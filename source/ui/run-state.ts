import type {Progress} from '../engine/progress.js';
import type {
	ApprovalRequest, Decision, DriftChoice, DriftRequest, FailureChoice, FailureRequest, RunEvent, RunResult, StepError, StepSummary,
} from '../engine/runner-events.js';

// The UI's model: what a guided session shows, as plain data. The feed carries `RunAction`s, the reducer
// (hooks/run-reducer.ts) turns them into a `RunState`, the components draw pieces of it. Types only, importing
// nothing from the UI, so every UI module can depend on it without a cycle.

export type StepView = Omit<StepSummary, 'metrics'> & {
	readonly metrics?: Readonly<Record<string, number>>;
	/** The runbook's key figures for this step, when the engine sends them (optional field on StepSummary). */
	readonly keyMetrics?: readonly string[];
	/** The dry run's counts from the approval request: drawn beside the live counters. */
	readonly planned?: Readonly<Record<string, number>>;
};

export type HistoryEntry = {
	readonly key: string;
	readonly kind: 'succeeded' | 'failed' | 'aborted' | 'skipped' | 'warning' | 'rollback' | 'earlier';
	readonly stepId: string | null;
	readonly number: number | null;
	readonly title: string;
	readonly metrics?: Readonly<Record<string, number>>;
	readonly keyMetrics?: readonly string[];
	readonly durationMs?: number;
	readonly reason?: string;
	readonly error?: StepError;
	readonly message?: string;
};

/** The engine's open question and the callback that answers it (cdktf: approval as callbacks in a status union). */
export type PendingRequest =
	| {readonly kind: 'approval'; readonly request: ApprovalRequest; readonly resolve: (decision: Decision) => void}
	| {readonly kind: 'failure'; readonly request: FailureRequest; readonly resolve: (choice: FailureChoice) => void}
	| {readonly kind: 'drift'; readonly request: DriftRequest; readonly resolve: (choice: DriftChoice) => void};

/** Engine events plus what the operator port and the session add. */
export type RunAction =
	| RunEvent
	| {readonly type: 'approval-requested'; readonly request: ApprovalRequest; readonly resolve: (decision: Decision) => void}
	| {readonly type: 'failure-requested'; readonly request: FailureRequest; readonly resolve: (choice: FailureChoice) => void}
	| {readonly type: 'drift-requested'; readonly request: DriftRequest; readonly resolve: (choice: DriftChoice) => void}
	| {readonly type: 'request-answered'}
	| {readonly type: 'session-closed'; readonly result: RunResult}
	| {readonly type: 'session-crashed'; readonly message: string};

/** Why the running step waits, and for how long when the engine said so. */
export type ThrottleView = {readonly reason: string; readonly waitMs: number | null};

export type RunState = {
	readonly runId: string | null;
	readonly evidenceDir: string | null;
	readonly resumed: boolean;
	readonly steps: readonly StepView[];
	/** Finished / skipped / failed steps and warnings, in order: drawn once, in <Static>. */
	readonly history: readonly HistoryEntry[];
	readonly currentStep: string | null;
	readonly lastFinishedStep: string | null;
	readonly progress: Progress | null;
	readonly throttle: ThrottleView | null;
	readonly warnings: ReadonlyArray<{readonly step: string | null; readonly message: string}>;
	readonly drift: {readonly step: string; readonly drift: Readonly<Record<string, readonly [number, number]>>} | null;
	readonly pending: PendingRequest | null;
	readonly rollingBack: boolean;
	readonly finished: {readonly status: RunResult['status']; readonly exitCode: number} | null;
	readonly closed: RunResult | null;
	readonly crashed: string | null;
};
