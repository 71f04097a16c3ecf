import test from 'ava';
import type {Decision, FailureChoice, RunEvent} from '../../../source/engine/runner-events.js';
import {initialRunState, reduceRun} from '../../../source/ui/hooks/run-reducer.js';
import type {RunAction, RunState} from '../../../source/ui/run-state.js';
import {backfillApproval, backfillProgress, runStarted, seedApproval} from '../../fixtures/run-events.js';

function replay(actions: readonly RunAction[], from: RunState = initialRunState): RunState {
	return actions.reduce(reduceRun, from);
}

const statusOf = (state: RunState, id: string) => state.steps.find(step => step.id === id)?.status;

test('run-started lists the steps as pending, unavailable ones as unavailable', t => {
	const state = replay([runStarted]);
	t.is(state.runId, 'run-0001');
	t.is(state.evidenceDir, runStarted.type === 'run-started' ? runStarted.evidenceDir : '');
	t.deepEqual(state.steps.map(step => step.status), ['pending', 'pending', 'pending', 'pending', 'unavailable']);
	t.deepEqual(state.history, []);
});

test('a step goes pending → running → succeeded and lands in the history with its metrics', t => {
	const started = replay([runStarted, {type: 'step-started', step: 'seed-baseline', number: 2, title: 'Seed baseline data', phase: 'execute'}]);
	t.is(statusOf(started, 'seed-baseline'), 'running');
	t.is(started.currentStep, 'seed-baseline');

	const done = reduceRun(started, {type: 'step-finished', step: 'seed-baseline', metrics: {categories_created: 5, records_unchanged: 0}, durationMs: 420, jobRunId: 'job-1'});
	t.is(statusOf(done, 'seed-baseline'), 'succeeded');
	t.is(done.currentStep, null);
	t.is(done.lastFinishedStep, 'seed-baseline');
	t.is(done.history.length, 1);
	t.like(done.history[0], {kind: 'succeeded', stepId: 'seed-baseline', number: 2, title: 'Seed baseline data', durationMs: 420, metrics: {categories_created: 5, records_unchanged: 0}});
});

test('a skipped step keeps its reason', t => {
	const state = replay([runStarted, {type: 'step-skipped', step: 'notify', reason: 'no notification webhook configured'}]);
	t.is(statusOf(state, 'notify'), 'skipped');
	t.like(state.history[0], {kind: 'skipped', stepId: 'notify', number: 5, reason: 'no notification webhook configured'});
});

test('a failed step keeps its error; exit 130 counts as aborted', t => {
	const failed = replay([
		runStarted,
		{type: 'step-started', step: 'backfill-membership', number: 4, title: 'Backfill memberships', phase: 'execute'},
		{type: 'step-failed', step: 'backfill-membership', error: {code: 8, message: 'Connection lost.', hint: 'Check the database, then resume.'}},
	]);
	t.is(statusOf(failed, 'backfill-membership'), 'failed');
	t.like(failed.history[0], {kind: 'failed', error: {code: 8, message: 'Connection lost.', hint: 'Check the database, then resume.'}});

	const aborted = replay([runStarted, {type: 'step-failed', step: 'seed-baseline', error: {code: 130, message: 'Aborted by the operator.', hint: null}}]);
	t.is(statusOf(aborted, 'seed-baseline'), 'aborted');
	t.is(aborted.history[0]!.kind, 'aborted');
});

test('progress replaces the counters of the current step; progress of another step is ignored', t => {
	const running = replay([runStarted, {type: 'step-started', step: 'backfill-membership', number: 4, title: 'Backfill memberships', phase: 'execute'}]);
	const first = reduceRun(running, {type: 'step-progress', step: 'backfill-membership', progress: backfillProgress(1)});
	t.deepEqual(first.progress?.metrics, {members_created: 750, members_reactivated: 30, members_updated: 8});
	const second = reduceRun(first, {type: 'step-progress', step: 'backfill-membership', progress: backfillProgress(2)});
	t.deepEqual(second.progress?.metrics, {members_created: 1500, members_reactivated: 60, members_updated: 16});
	t.is(second.progress?.rowsScanned, 2000);
	const other = reduceRun(second, {type: 'step-progress', step: 'seed-baseline', progress: backfillProgress(9)});
	t.is(other.progress?.batch, 2);
});

test('throttle is shown while waiting and cleared by the next unthrottled batch', t => {
	const running = replay([runStarted, {type: 'step-started', step: 'backfill-membership', number: 4, title: 'Backfill memberships', phase: 'execute'}]);
	const waiting = reduceRun(running, {type: 'throttled', step: 'backfill-membership', reason: 'replica lag 7 s > 5 s', waitMs: 2000});
	t.deepEqual(waiting.throttle, {reason: 'replica lag 7 s > 5 s', waitMs: 2000});
	const resumed = reduceRun(waiting, {type: 'step-progress', step: 'backfill-membership', progress: backfillProgress(3)});
	t.is(resumed.throttle, null);
});

test('an approval request is pending until answered, and carries the planned numbers to the step', t => {
	let answered: Decision | undefined;
	const state = replay([runStarted, {type: 'approval-requested', request: backfillApproval, resolve(decision) {
		answered = decision;
	}}]);
	t.is(state.pending?.kind, 'approval');
	t.deepEqual(state.steps.find(step => step.id === 'backfill-membership')?.planned, backfillApproval.planned);
	t.is(answered, undefined);
	t.is(reduceRun(state, {type: 'request-answered'}).pending, null);
	// The engine's own `approval` event clears it too.
	t.is(reduceRun(state, {type: 'approval', step: 'backfill-membership', answer: 'run', by: 'alice'}).pending, null);
	// ... but not an approval of another step.
	t.is(reduceRun(state, {type: 'approval', step: seedApproval.step, answer: 'run', by: 'alice'}).pending?.kind, 'approval');
});

test('drift is recorded with both numbers and its request is pending', t => {
	const drift = {members_created: [9000, 8990] as [number, number]};
	const state = replay([
		runStarted,
		{type: 'drift-detected', step: 'backfill-membership', drift},
		{type: 'drift-requested', request: {step: 'backfill-membership', drift}, resolve() {}},
	]);
	t.deepEqual(state.drift, {step: 'backfill-membership', drift: {members_created: [9000, 8990]}});
	t.is(state.pending?.kind, 'drift');
});

test('a failure request after a failed step, then retry restarts the step', t => {
	const choices: FailureChoice[] = [];
	const failed = replay([
		runStarted,
		{type: 'step-started', step: 'seed-baseline', number: 2, title: 'Seed baseline data', phase: 'execute'},
		{type: 'step-failed', step: 'seed-baseline', error: {code: 8, message: 'Connection lost.', hint: null}},
		{type: 'failure-requested', request: {step: 'seed-baseline', error: {code: 8, message: 'Connection lost.', hint: null}, rollbackAvailable: false}, resolve(choice) {
			choices.push(choice);
		}},
	]);
	t.is(failed.pending?.kind, 'failure');
	const retried = replay([{type: 'request-answered'}, {type: 'step-started', step: 'seed-baseline', number: 2, title: 'Seed baseline data', phase: 'execute'}], failed);
	t.is(statusOf(retried, 'seed-baseline'), 'running');
	t.is(retried.pending, null);
	t.is(retried.history.length, 1, 'the failed attempt stays in the history');
});

test('warnings are kept and drawn in the history; run-finished records the outcome', t => {
	const events: RunEvent[] = [
		runStarted,
		{type: 'warning', step: 'backfill-membership', message: 'community 7: link "abc" is not a course id'},
		{type: 'run-finished', status: 'failed', exitCode: 4},
	];
	const state = replay(events);
	t.deepEqual(state.warnings, [{step: 'backfill-membership', message: 'community 7: link "abc" is not a course id'}]);
	t.like(state.history[0], {kind: 'warning', number: 4, message: 'community 7: link "abc" is not a course id'});
	t.deepEqual(state.finished, {status: 'failed', exitCode: 4});
});

test('a resumed run shows the steps finished earlier in the history', t => {
	const state = replay([{...runStarted, resumed: true, steps: runStarted.type === 'run-started' ? runStarted.steps.map(step => (step.number <= 2 ? {...step, status: 'succeeded' as const, metrics: {checks_passed: 7}} : step)) : []} as RunEvent]);
	t.true(state.resumed);
	t.deepEqual(state.history.map(entry => [entry.kind, entry.stepId]), [['earlier', 'prerequisites'], ['earlier', 'seed-baseline']]);
	// React keys: two equal ones made React print a warning over the TUI.
	t.is(new Set(state.history.map(entry => entry.key)).size, state.history.length);
});
