import test from 'ava';
import {Profiler} from 'react';
import type {Progress} from '../../../source/engine/progress.js';
import {LiveStep} from '../../../source/ui/components/live-step.js';
import type {StepView} from '../../../source/ui/run-state.js';
import {cleanupSized, plain, renderSized, waitForFrame} from '../../helpers/ink.js';
import {backfillProgress, planned, steps} from '../../fixtures/run-events.js';

test.afterEach.always(() => {
	cleanupSized();
});

const step: StepView = {...steps[3]!, status: 'running', planned};
const spinnerGlyph = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

/**
 * Counts renders of the real components without touching them: ProgressPanel reads `progress.batch` once per render
 * and MetricsTable lists the keys of the live counters once per render, so the progress handed in counts both.
 */
function countingProgress(progress: Progress, renders: {panel: number; table: number}): Progress {
	const metrics = new Proxy(progress.metrics, {
		ownKeys(target) {
			renders.table++;
			return Reflect.ownKeys(target);
		},
	});
	return new Proxy({...progress, metrics}, {
		get(target, key, receiver) {
			if (key === 'batch') {
				renders.panel++;
			}

			return Reflect.get(target, key, receiver) as unknown;
		},
	});
}

/** How often the spinner's glyph changed from one frame to the next (debug mode: one frame per React commit). */
function spinnerTicks(frames: readonly string[]): number {
	const glyphs = frames.map(frame => spinnerGlyph.exec(plain(frame))?.[0]);
	return glyphs.filter((glyph, index) => index > 0 && glyph !== undefined && glyph !== glyphs[index - 1]).length;
}

test.serial('the spinner ticks on its own: over a second of ticks the progress panel and the metrics table do not redraw', async t => {
	const renders = {panel: 0, table: 0};
	let commits = 0;
	const {stdout, lastFrame} = renderSized(
		<Profiler id="live-step" onRender={() => commits++}>
			<LiveStep step={step} progress={countingProgress(backfillProgress(3), renders)} throttle={null} width={140} />
		</Profiler>,
		{columns: 140, rows: 40},
	);
	const first = await waitForFrame(lastFrame, frame => frame.includes('batch 3 ·') && frame.includes('Members Created'));
	t.regex(first, /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] 4\. Backfill memberships — batch 3/m, 'ink-spinner\'s dots lead the panel');
	t.deepEqual(renders, {panel: 1, table: 1}, 'the counters see the first render');

	// About a second: ink-spinner's dots advance every 80 ms.
	await waitForFrame(() => String(spinnerTicks(stdout.frames)), ticks => Number(ticks) >= 12, 5000);
	t.true(commits >= 12, `${commits} commits under the live step`);
	t.true(renders.panel <= 2, `the progress panel rendered ${renders.panel} times during ${spinnerTicks(stdout.frames)} spinner ticks`);
	t.true(renders.table <= 2, `the metrics table rendered ${renders.table} times during ${spinnerTicks(stdout.frames)} spinner ticks`);
});

test.serial('new progress still redraws the panel and the table (memo lets changed props through)', async t => {
	const renders = {panel: 0, table: 0};
	const {lastFrame, instance} = renderSized(<LiveStep step={step} progress={countingProgress(backfillProgress(3), renders)} throttle={null} width={100} />, {columns: 100, rows: 40});
	await waitForFrame(lastFrame, frame => frame.includes('batch 3 ·'));
	instance.rerender(<LiveStep step={step} progress={countingProgress(backfillProgress(4), renders)} throttle={null} width={100} />);
	const frame = await waitForFrame(lastFrame, value => value.includes('batch 4 ·'));
	t.true(frame.includes('33% 4,000 / 12,000 enrollments'));
	t.true(renders.panel >= 2 && renders.table >= 2, `panel ${renders.panel}, table ${renders.table}`);
});
