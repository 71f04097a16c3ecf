import type {StepStatus, StepSummary} from '../../engine/runner-events.js';
import type {HistoryEntry, RunAction, RunState, StepView} from '../run-state.js';

// The one reducer that changes a guided session's state (run-state.ts): engine events plus the operator's pending
// requests. Pure (no React, no Ink), so it is unit-tested on its own; `useRun` applies it.

export const initialRunState: RunState = {
	runId: null, evidenceDir: null, resumed: false, steps: [], history: [], currentStep: null, lastFinishedStep: null, progress: null,
	throttle: null, warnings: [], drift: null, pending: null, rollingBack: false, finished: null, closed: null, crashed: null,
};

export function reduceRun(state: RunState, action: RunAction): RunState {
	switch (action.type) {
		case 'run-started': {
			const steps = action.steps.map(summary => toStepView(summary));
			// Entries made in one go would share `entry`'s history-length key (React warns, onto the TUI): add the step.
			const earlier = steps.filter(step => step.status === 'succeeded' || step.status === 'skipped')
				.map(step => ({...entry(state, {kind: 'earlier', step, metrics: step.metrics}), key: `${state.history.length}-earlier-${step.id}`}));
			return {...state, runId: action.runId, evidenceDir: action.evidenceDir, resumed: action.resumed, steps, history: [...state.history, ...earlier]};
		}

		case 'step-started': {
			return {...patchStep(state, action.step, {status: 'running'}), currentStep: action.step, progress: null, throttle: null};
		}

		case 'awaiting-approval': {
			return action.request.planned ? patchStep(state, action.step, {planned: action.request.planned}) : state;
		}

		case 'approval': {
			return state.pending?.request.step === action.step ? {...state, pending: null} : state;
		}

		case 'step-progress': {
			if (action.step !== state.currentStep) {
				return state;
			}

			const throttle = action.progress.throttle ? {reason: action.progress.throttle, waitMs: state.throttle?.waitMs ?? null} : null;
			return {...state, progress: action.progress, throttle};
		}

		case 'throttled': {
			return action.step === state.currentStep ? {...state, throttle: {reason: action.reason, waitMs: action.waitMs}} : state;
		}

		case 'warning': {
			const warned = {...state, warnings: [...state.warnings, {step: action.step, message: action.message}]};
			return {...warned, history: [...state.history, entry(state, {kind: 'warning', stepId: action.step, message: action.message})]};
		}

		case 'drift-detected': {
			return {...state, drift: {step: action.step, drift: action.drift}};
		}

		case 'step-finished': {
			const next = patchStep(state, action.step, {status: 'succeeded', metrics: action.metrics});
			return finish(next, action.step, {kind: 'succeeded', metrics: action.metrics, durationMs: action.durationMs});
		}

		case 'step-failed': {
			const aborted = action.error.code === 130;
			const next = patchStep(state, action.step, {status: aborted ? 'aborted' : 'failed'});
			return finish(next, action.step, {kind: aborted ? 'aborted' : 'failed', error: action.error});
		}

		case 'step-skipped': {
			return finish(patchStep(state, action.step, {status: 'skipped'}), action.step, {kind: 'skipped', reason: action.reason});
		}

		case 'rollback-started': {
			const message = action.runs.length > 0 ? `Rolling back ${action.runs.length} job run(s): ${action.runs.join(', ')}` : 'Rolling back: nothing to undo';
			return {...state, rollingBack: true, history: [...state.history, entry(state, {kind: 'rollback', stepId: action.step, message})]};
		}

		case 'run-finished': {
			return {...state, finished: {status: action.status, exitCode: action.exitCode}, currentStep: null, progress: null, throttle: null};
		}

		case 'approval-requested': {
			return {...patchStep(state, action.request.step, action.request.planned ? {planned: action.request.planned} : {}), pending: {kind: 'approval', request: action.request, resolve: action.resolve}};
		}

		case 'failure-requested': {
			return {...state, pending: {kind: 'failure', request: action.request, resolve: action.resolve}};
		}

		case 'drift-requested': {
			return {...state, pending: {kind: 'drift', request: action.request, resolve: action.resolve}};
		}

		case 'request-answered': {
			return {...state, pending: null};
		}

		case 'session-closed': {
			return {...state, pending: null, closed: action.result};
		}

		case 'session-crashed': {
			return {...state, pending: null, crashed: action.message};
		}

		default: {
			// Events the screen does not draw (run-resumed, lock-taken-over, batch-size-changed) leave it as it is.
			return state;
		}
	}
}

function toStepView(summary: StepSummary): StepView {
	const keyMetrics = (summary as {keyMetrics?: readonly string[]}).keyMetrics;
	return {...summary, ...(keyMetrics ? {keyMetrics} : {})};
}

function patchStep(state: RunState, id: string, patch: Partial<StepView> & {status?: StepStatus}): RunState {
	return {...state, steps: state.steps.map(step => (step.id === id ? {...step, ...patch} : step))};
}

function finish(state: RunState, id: string, fields: Pick<HistoryEntry, 'kind'> & Partial<HistoryEntry>): RunState {
	const step = state.steps.find(candidate => candidate.id === id);
	return {
		...state,
		history: [...state.history, entry(state, {...fields, step, stepId: id})],
		currentStep: state.currentStep === id ? null : state.currentStep,
		lastFinishedStep: id,
		progress: state.currentStep === id ? null : state.progress,
		throttle: state.currentStep === id ? null : state.throttle,
	};
}

function entry(state: RunState, fields: Pick<HistoryEntry, 'kind'> & Partial<HistoryEntry> & {step?: StepView}): HistoryEntry {
	const {step: given, ...rest} = fields;
	const step = given ?? state.steps.find(candidate => candidate.id === fields.stepId);
	return {
		key: `${state.history.length}-${fields.kind}`,
		stepId: step?.id ?? fields.stepId ?? null,
		number: step?.number ?? null,
		title: step?.title ?? fields.stepId ?? '',
		...(step?.keyMetrics ? {keyMetrics: step.keyMetrics} : {}),
		...rest,
	};
}
