import test from 'ava';
import {cleanup} from 'ink-testing-library';
import type {Decision, FailureChoice} from '../../source/engine/runner-events.js';
import {liveLines, startSession} from '../helpers/guided-session.js';
import {cleanupSized, flat, keys, plain, waitForFrame} from '../helpers/ink.js';
import {backfillApproval, backfillProgress, planned, resultOf, runStarted, seedApproval, steps} from '../fixtures/run-events.js';

test.afterEach.always(() => {
	cleanup();
	cleanupSized();
});

const seedStarted = {type: 'step-started', step: 'seed-baseline', number: 2, title: 'Seed baseline data', phase: 'execute'} as const;
const backfillStarted = {type: 'step-started', step: 'backfill-membership', number: 4, title: 'Backfill memberships', phase: 'execute'} as const;
const liveColumn = (frame: string, label: string) => frame.split('\n').find(line => line.includes(`│ ${label} `))?.split('│').map(cell => cell.trim()).filter(Boolean);

test.serial('pending → running → done: approval by keystrokes, live counters between two frames, history, final line', async t => {
	const decisions: Decision[] = [];
	const {result} = startSession(async (operator, emit, {stdin, lastFrame}) => {
		emit(runStarted);
		await waitForFrame(lastFrame, frame => frame.includes('○ 2. Seed baseline data — pending'));

		emit(seedStarted);
		const seed = operator.decide(seedApproval);
		await waitForFrame(lastFrame, frame => frame.includes('? 2. Seed baseline data — waiting for your decision') && frame.includes('y run it now'));
		stdin.write('y');
		decisions.push(await seed);
		emit({type: 'approval', step: 'seed-baseline', answer: 'run', by: 'alice'});
		emit({type: 'step-finished', step: 'seed-baseline', metrics: {categories_created: 5, levels_created: 4, rules_created: 6, records_unchanged: 0}, durationMs: 420, jobRunId: 'job-1'});
		await waitForFrame(lastFrame, frame => frame.includes('✔ 2. Seed baseline data — done in 0.4 s · 5 categories created · 4 levels created · 6 rules created'));

		emit(backfillStarted);
		const backfill = operator.decide(backfillApproval);
		await waitForFrame(lastFrame, frame => frame.includes('y run it (you type "backfill" to confirm)'));
		stdin.write('y');
		await waitForFrame(lastFrame, frame => frame.includes('Type backfill and press Enter'));
		stdin.write('backfill');
		await waitForFrame(lastFrame, frame => frame.includes('> backfill'));
		stdin.write(keys.enter);
		decisions.push(await backfill);
		emit({type: 'approval', step: 'backfill-membership', answer: 'run', by: 'alice'});

		emit({type: 'step-progress', step: 'backfill-membership', progress: backfillProgress(1)});
		const first = await waitForFrame(lastFrame, frame => frame.includes('batch 1 ·'));
		emit({type: 'step-progress', step: 'backfill-membership', progress: backfillProgress(2)});
		const second = await waitForFrame(lastFrame, frame => frame.includes('batch 2 ·'));
		t.true(first.includes('▶ 4. Backfill memberships — running'));
		t.deepEqual(liveColumn(first, 'Members Created'), ['Members Created', '9,000', '750']);
		t.deepEqual(liveColumn(second, 'Members Created'), ['Members Created', '9,000', '1,500']);
		t.true(first.includes('8% 1,000 / 12,000 enrollments'));
		t.true(second.includes('16% 2,000 / 12,000 enrollments'));
		t.true(second.includes('25,000 rows/s · ETA'));

		emit({type: 'step-finished', step: 'backfill-membership', metrics: planned, durationMs: 5000, jobRunId: 'job-2'});
		emit({type: 'step-skipped', step: 'notify', reason: 'no notification webhook configured'});
		emit({type: 'run-finished', status: 'succeeded', exitCode: 0});
		return resultOf('succeeded', 0);
	});

	const outcome = await result;
	t.is(outcome.status, 'succeeded');
	t.deepEqual(decisions, [{answer: 'run', by: 'alice'}, {answer: 'run', by: 'alice'}]);
});

test.serial('the final frame keeps the history and the outcome; the session resolves only then', async t => {
	const session = startSession(async (_operator, emit) => {
		emit(runStarted);
		emit({type: 'step-finished', step: 'prerequisites', metrics: {checks_passed: 7}, durationMs: 300, jobRunId: null});
		emit({type: 'step-failed', step: 'seed-baseline', error: {code: 4, message: 'Verification failed.', hint: null}});
		emit({type: 'run-finished', status: 'failed', exitCode: 4});
		return resultOf('failed', 4);
	});
	t.is((await session.result).exitCode, 4);
	const frame = session.screen.lastFrame();
	t.true(frame.includes('✔ 1. Prerequisites — done in 0.3 s · 7 checks passed'));
	t.true(frame.includes('✖ 2. Seed baseline data — failed (exit 4): Verification failed.'));
	t.true(frame.includes('✖ Run failed (exit 4). The run is resumable: start the guide again.'));
	t.false(frame.includes('Keys:'), 'no keys are offered once the session is over');
});

test.serial('skip with a reason: the decision carries it and the history shows it', async t => {
	const {result} = startSession(async (operator, emit, {stdin, lastFrame}) => {
		emit(runStarted);
		emit(seedStarted);
		const pending = operator.decide(seedApproval);
		await waitForFrame(lastFrame, frame => frame.includes('s skip it (asks a reason)'));
		stdin.write('s');
		await waitForFrame(lastFrame, frame => frame.includes('Why skip 2. Seed baseline data?'));
		t.true(lastFrame().includes('Keys: Enter submit · Esc back'));
		stdin.write('seeded by hand in CHG-1234');
		await waitForFrame(lastFrame, frame => frame.includes('> seeded by hand in CHG-1234'));
		stdin.write(keys.enter);
		const decision = await pending;
		t.deepEqual(decision, {answer: 'skip', by: 'alice', reason: 'seeded by hand in CHG-1234'});
		emit({type: 'approval', step: 'seed-baseline', answer: 'skip', by: 'alice', reason: decision.reason});
		emit({type: 'step-skipped', step: 'seed-baseline', reason: decision.reason!});
		await waitForFrame(lastFrame, frame => frame.includes('⊘ 2. Seed baseline data — skipped: seeded by hand in CHG-1234'));
		emit({type: 'run-finished', status: 'succeeded', exitCode: 0});
		return resultOf('succeeded', 0);
	});
	t.is((await result).status, 'succeeded');
});

test.serial('failure → retry: the prompt says the run stays resumable; r answers retry and the step runs again', async t => {
	const choices: FailureChoice[] = [];
	const {result} = startSession(async (operator, emit, {stdin, lastFrame}) => {
		emit(runStarted);
		emit(backfillStarted);
		const error = {code: 8, message: 'Lost the connection to the database.', hint: 'Check the server, then retry.'};
		emit({type: 'step-failed', step: 'backfill-membership', error});
		const choice = operator.onFailure({step: 'backfill-membership', error, rollbackAvailable: true});
		const frame = await waitForFrame(lastFrame, value => value.includes('r retry the step'));
		t.true(frame.includes('✖ 4. Backfill memberships — failed (exit 8): Lost the connection to the database.'));
		t.true(frame.includes('the run stays resumable'));
		t.true(frame.includes('Keys: r retry · b roll back · q quit (resumable) · e evidence'));
		stdin.write('r');
		choices.push(await choice);
		emit(backfillStarted);
		emit({type: 'step-progress', step: 'backfill-membership', progress: backfillProgress(12)});
		await waitForFrame(lastFrame, value => value.includes('▶ 4. Backfill memberships — running') && value.includes('100%'));
		emit({type: 'step-finished', step: 'backfill-membership', metrics: planned, durationMs: 1200, jobRunId: 'job-2'});
		await waitForFrame(lastFrame, value => value.includes('✔ 4. Backfill memberships — done in 1.2 s'));
		emit({type: 'run-finished', status: 'succeeded', exitCode: 0});
		return resultOf('succeeded', 0);
	});
	t.is((await result).status, 'succeeded');
	t.deepEqual(choices, ['retry']);
});

test.serial('abort: q asks first (n keeps going), Ctrl-C asks too, y calls onAbort once; Ctrl-C again forces', async t => {
	const calls = {abort: 0, force: 0};
	const {result} = startSession(async (operator, emit, {stdin, lastFrame}) => {
		emit(runStarted);
		emit(backfillStarted);
		emit({type: 'step-progress', step: 'backfill-membership', progress: backfillProgress(3)});
		await waitForFrame(lastFrame, frame => frame.includes('batch 3 ·'));
		t.true(lastFrame().includes('Keys: e evidence · q abort after this batch · Ctrl-C abort'));
		stdin.write('q');
		const asked = await waitForFrame(lastFrame, frame => frame.includes('Abort after the current batch? (y/n)'));
		t.true(flat(asked).includes('can be resumed (exit 130)'));
		stdin.write('n');
		await waitForFrame(lastFrame, frame => !frame.includes('Abort after the current batch?'));
		t.is(calls.abort, 0);

		stdin.write(keys.ctrlC);
		await waitForFrame(lastFrame, frame => frame.includes('Abort after the current batch? (y/n)'));
		stdin.write('y');
		await waitForFrame(lastFrame, frame => frame.includes('⏹ Abort requested: stopping at the next safe point'));
		t.is(calls.abort, 1);
		stdin.write(keys.ctrlC);
		await waitForFrame(() => String(calls.force), value => value === '1');

		emit({type: 'step-failed', step: 'backfill-membership', error: {code: 130, message: 'Aborted by the operator after batch 3.', hint: 'Resume with run --resume.'}});
		emit({type: 'run-finished', status: 'aborted', exitCode: 130});
		return resultOf('aborted', 130);
	}, undefined, {onAbort: () => calls.abort++, onForceQuit: () => calls.force++});
	t.is((await result).exitCode, 130);
	t.is(calls.abort, 1);
});

test.serial('Ctrl-C at an approval prompt asks, then answers the approval with abort', async t => {
	const {result} = startSession(async (operator, emit, {stdin, lastFrame}) => {
		emit(runStarted);
		emit(seedStarted);
		const pending = operator.decide(seedApproval);
		await waitForFrame(lastFrame, frame => frame.includes('y run it now'));
		stdin.write(keys.ctrlC);
		await waitForFrame(lastFrame, frame => frame.includes('Abort the run here? Nothing else runs. (y/n)'));
		stdin.write('y');
		const decision = await pending;
		t.is(decision.answer, 'abort');
		emit({type: 'run-finished', status: 'aborted', exitCode: 130});
		return resultOf('aborted', 130);
	});
	t.is((await result).status, 'aborted');
});

test.serial('e opens the running step\'s evidence, Esc closes it', async t => {
	const asked: string[] = [];
	const {result} = startSession(async (_operator, emit, {stdin, lastFrame}) => {
		emit(runStarted);
		emit(backfillStarted);
		emit({type: 'step-progress', step: 'backfill-membership', progress: backfillProgress(1)});
		await waitForFrame(lastFrame, frame => frame.includes('batch 1 ·'));
		stdin.write('e');
		const shown = await waitForFrame(lastFrame, frame => frame.includes('batches committed: 1'));
		t.true(shown.includes('Evidence: 4. Backfill memberships'));
		t.true(shown.includes('Keys: ↑/↓ scroll · PgUp/PgDn page · Esc close'));
		stdin.write(keys.escape);
		await waitForFrame(lastFrame, frame => !frame.includes('batches committed') && frame.includes('batch 1 ·'));
		emit({type: 'run-finished', status: 'succeeded', exitCode: 0});
		return resultOf('succeeded', 0);
	}, undefined, {readEvidence: async stepId => {
		asked.push(stepId);
		return `step ${stepId}\nbatches committed: 1\n`;
	}});
	await result;
	t.deepEqual(asked, ['backfill-membership']);
});

test.serial('a crash of the runner unmounts the TUI and rejects with the same error', async t => {
	const {result} = startSession(async (_operator, emit) => {
		emit(runStarted);
		throw new Error('evidence folder vanished');
	});
	await t.throwsAsync(result, {message: 'evidence folder vanished'});
});

for (const size of [{columns: 80, rows: 24}, {columns: 160, rows: 50}]) {
	test.serial(`${size.columns}×${size.rows}: no line wider than the terminal, and the live area fits its height`, async t => {
		const checked: string[] = [];
		const check = (frame: string, what: string) => {
			for (const line of frame.split('\n')) {
				t.true([...line].length <= size.columns, `${what}: line wider than ${size.columns}: "${line}"`);
			}

			t.true(liveLines(frame).length < size.rows, `${what}: ${liveLines(frame).length} live lines at ${size.rows} rows`);
			checked.push(what);
		};

		const {result} = startSession(async (operator, emit, {stdin, lastFrame}) => {
			emit({type: 'run-started', runId: 'run-0001', resumed: false, evidenceDir: '/srv/app/storage/app/upgrade/stage11/20261125T192250Z-run-0001', steps: [...steps, ...['migrate-legacy-activity-dry-run', 'migrate-legacy-activity', 'enable-feature-internal', 'verify', 'rollback'].map((id, index) => ({id, number: 6 + index, title: id, phase: 'execute' as const, confirmation: 'none' as const, status: 'pending' as const}))]});
			emit({type: 'step-finished', step: 'prerequisites', metrics: {checks_passed: 7}, durationMs: 300, jobRunId: null});
			emit({type: 'warning', step: 'backfill-membership-dry-run', message: 'community 12 (campus-north): classroom link "x-17" is not a positive course id and was ignored; see the evidence for the full list of ignored links'});
			emit(backfillStarted);
			const approval = operator.decide(backfillApproval);
			check(await waitForFrame(lastFrame, frame => frame.includes('y run it (you type')), 'approval');
			stdin.write('y');
			check(await waitForFrame(lastFrame, frame => frame.includes('Type backfill')), 'type-to-confirm');
			stdin.write('backfil');
			await waitForFrame(lastFrame, frame => frame.includes('> backfil'));
			stdin.write(keys.enter);
			check(await waitForFrame(lastFrame, frame => frame.includes('is not "backfill"')), 'wrong word');
			stdin.write('backfill');
			await waitForFrame(lastFrame, frame => frame.includes('> backfill'));
			stdin.write(keys.enter);
			await approval;
			emit({type: 'step-progress', step: 'backfill-membership', progress: backfillProgress(5, {throttle: 'replica lag 7 s > max 5 s'})});
			emit({type: 'throttled', step: 'backfill-membership', reason: 'replica lag 7 s > max 5 s', waitMs: 2000});
			const running = await waitForFrame(lastFrame, frame => frame.includes('⏸ Throttled'));
			check(running, 'running');
			if (size.columns >= 120) {
				t.true(running.split('\n').some(line => line.includes('rows/s') && line.includes('│')), 'the table sits beside the panel');
			}

			stdin.write('q');
			check(await waitForFrame(lastFrame, frame => frame.includes('(y/n)')), 'abort question');
			stdin.write('n');
			await waitForFrame(lastFrame, frame => !frame.includes('(y/n)'));
			const error = {code: 8, message: 'Lost the connection to the database while committing batch 6 of the backfill.', hint: 'Check that MariaDB is up (systemctl status mariadb), then press r to retry from the last checkpoint.'};
			emit({type: 'step-failed', step: 'backfill-membership', error});
			const failure = operator.onFailure({step: 'backfill-membership', error, rollbackAvailable: true});
			check(await waitForFrame(lastFrame, frame => frame.includes('r retry')), 'failure');
			stdin.write('q');
			await failure;
			emit({type: 'run-finished', status: 'failed', exitCode: 8});
			return resultOf('failed', 8);
		}, size);
		await result;
		t.deepEqual(checked, ['approval', 'type-to-confirm', 'wrong word', 'running', 'abort question', 'failure']);
	});
}

test.serial('a flood of progress events (1000/s) redraws a few times a second and ends on the latest counters', async t => {
	let flood: string[] = [];
	let events = 0;
	const {result} = startSession(async (_operator, emit, {lastFrame, stdout}) => {
		emit(runStarted);
		emit(backfillStarted);
		emit({type: 'step-progress', step: 'backfill-membership', progress: backfillProgress(1)});
		await waitForFrame(lastFrame, frame => frame.includes('batch 1 ·'));
		const before = stdout.frames.length;
		const end = Date.now() + 1000;
		while (Date.now() < end) {
			for (let index = 0; index < 10; index++) {
				events++;
				emit({type: 'step-progress', step: 'backfill-membership', progress: backfillProgress(2, {batch: events + 1})});
			}

			await new Promise(resolve => {
				setTimeout(resolve, 10);
			});
		}

		flood = stdout.frames.slice(before - 1).map(frame => plain(frame).replaceAll(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/g, '*'));
		await waitForFrame(lastFrame, frame => frame.includes(`batch ${events + 1} ·`));
		emit({type: 'run-finished', status: 'succeeded', exitCode: 0});
		return resultOf('succeeded', 0);
	});
	await result;
	t.true(events >= 200, `only ${events} events were sent`);
	// Debug mode writes one frame per React commit. The spinner (ink-spinner, 80 ms) commits on its own and changes
	// only its glyph: those frames are counted apart from the redraws that progress causes (5 a second, plus a few).
	const spinnerOnly = flood.filter((frame, index) => index > 0 && frame === flood[index - 1]).length;
	const redraws = flood.length - 1 - spinnerOnly;
	t.true(redraws <= 12, `${redraws} redraws for ${events} events in one second`);
	t.true(redraws >= 2, 'the counters kept moving during the flood');
	t.true(spinnerOnly <= 14, `${spinnerOnly} spinner-only frames in one second (80 ms ticks: about 12)`);
});
