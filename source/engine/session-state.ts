import type {SessionView} from './job.js';
import type {Runbook, RunbookStep} from './runbook-schema.js';
import type {RunResult, StepError, StepStatus, StepSummary} from './runner-events.js';

// What a runbook session keeps in its runbook_runs row (state), so `run --resume` and `guide` continue where it
// stopped: each step's status, job run, metrics and the parameters it resolved.

export type StepState = {
	status: Exclude<StepStatus, 'running' | 'unavailable'>;
	jobRunId: string | null;
	metrics: Record<string, number>;
	error: StepError | null;
	durationMs: number | null;
	resolved?: Record<string, unknown>;
	reason?: string;
};

export type SessionState = {evidenceDir?: string; steps: Record<string, StepState>};

export const emptyStep = (): StepState => ({status: 'pending', jobRunId: null, metrics: {}, error: null, durationMs: null});

/** The saved state of a resumed session (or a new one): succeeded and skipped steps kept, the others to run again. */
export function sessionState(runbook: Runbook, saved: Partial<SessionState> | undefined): SessionState {
	const state: SessionState = {steps: {}, ...saved};
	for (const step of runbook.steps) {
		const previous = state.steps[step.id];
		state.steps[step.id] = previous && (previous.status === 'succeeded' || previous.status === 'skipped') ? previous : {...emptyStep(), ...(previous ? {jobRunId: previous.jobRunId} : {})};
	}

	return state;
}

/** The first step not done, for "the run stopped at …". */
export function stoppedAt(runbook: Runbook, saved: Record<string, unknown>): string {
	const steps = (saved as Partial<SessionState>).steps ?? {};
	const step = runbook.steps.find(candidate => !candidate.onDemand && !['succeeded', 'skipped'].includes(steps[candidate.id]?.status ?? 'pending'));
	return step ? `stopped at step ${runbook.steps.indexOf(step) + 1} ${step.id}` : 'all steps done';
}

export function summaries(runbook: Runbook, state: SessionState, available: (job: string) => boolean): StepSummary[] {
	return runbook.steps.map((step, index) => ({
		id: step.id,
		number: index + 1,
		title: step.title,
		phase: step.phase,
		confirmation: typeof step.confirmation === 'string' ? step.confirmation : 'type-to-confirm',
		...(typeof step.confirmation === 'object' ? {word: step.confirmation.word} : {}),
		status: available(step.job) ? state.steps[step.id]!.status : 'unavailable',
		metrics: state.steps[step.id]!.metrics,
		keyMetrics: step.keyMetrics,
	}));
}

export function sessionView(runbook: Runbook, runId: string, evidenceDir: string, state: SessionState): SessionView {
	return {
		runId,
		evidenceDir,
		steps: runbook.steps.map(step => {
			const {status, metrics, jobRunId} = state.steps[step.id]!;
			return {id: step.id, job: step.job, status, metrics, jobRunId};
		}),
	};
}

/** A step's params: its own, the command line's overrides for its job, and what it needs from earlier steps. */
export function paramsFor(step: RunbookStep, state: SessionState, sessionRunId: string, overrides: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
	const params: Record<string, unknown> = {...step.params, ...overrides};
	for (const [name, need] of Object.entries(step.needs)) {
		const source = need.step === undefined ? undefined : state.steps[need.step];
		const value = need.value === 'run-id' ? (need.step === undefined ? sessionRunId : source?.jobRunId) : source?.resolved?.[need.value.slice('resolved.'.length)];
		if (value !== undefined && value !== null) {
			params[name] = value;
		}
	}

	return params;
}

export function resultSteps(runbook: Runbook, state: SessionState): RunResult['steps'] {
	return runbook.steps.map(step => {
		const {status, metrics, jobRunId, error, durationMs, reason} = state.steps[step.id]!;
		return {id: step.id, status, metrics, run_id: jobRunId, error, duration_ms: durationMs, ...(reason ? {reason} : {})};
	});
}
