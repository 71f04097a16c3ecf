// The TUI's own cost during a job: a synthetic run of `--seconds` (default 20) whose step reports progress every
// `--every` ms (default 50), fed through runGuidedSession to an off-screen 120×40 terminal, as the runner feeds it.
// Prints one JSON line: Ink frames drawn and the time spent turning the tree into text (Ink's onRender), React
// commits (each commit lays out the whole tree with Yoga: counted and timed here) and the process's CPU time.
//   NODE_ENV=production npx tsx bench/tui-cost.tsx [--seconds=20] [--every=50]
import {parseArgs} from 'node:util';
import Yoga from 'yoga-layout';
import type {RunResult} from '../source/engine/runner-events.js';
import {runGuidedSession} from '../source/ui/run-ui.js';
import {offscreenTerminal, type OffscreenStats} from './ink-run.js';

const {values} = parseArgs({options: {seconds: {type: 'string', default: '20'}, every: {type: 'string', default: '50'}}});
const seconds = Number(values.seconds);
const everyMs = Number(values.every);

const layout = {calls: 0, ms: 0};
// Ink lays out its root node on every commit: wrapping the (shared) Yoga node prototype counts and times that.
const prototype = (Yoga.Node as unknown as {prototype: {calculateLayout: (...arguments_: unknown[]) => void}}).prototype;
const calculate = prototype.calculateLayout;
prototype.calculateLayout = function (this: unknown, ...arguments_: unknown[]) {
	const started = performance.now();
	calculate.apply(this, arguments_);
	layout.calls++;
	layout.ms += performance.now() - started;
};

const frames = {count: 0, ms: 0};
const stats: OffscreenStats = {bytes: 0, writes: 0};
const {stdout, stdin} = offscreenTerminal(stats);
const step = {id: 'backfill-membership', number: 1, title: 'Backfill memberships'};
const metric = (batch: number) => ({members_created: batch * 750, members_reactivated: batch * 30, members_updated: batch * 8, members_unchanged: batch * 200, records_skipped: batch * 12});
let cpu = process.cpuUsage();
let wall = 0;
await runGuidedSession({
	stdout, stdin, color: true, title: 'tui-cost', database: 'bench', operatorName: 'bench',
	onFrame({renderTime}) {
		frames.count++;
		frames.ms += renderTime;
	},
	async start(_operator, emit) {
		emit({type: 'run-started', runId: 'bench', resumed: false, evidenceDir: '/tmp/bench', steps: [{id: step.id, number: 1, title: step.title, phase: 'execute', confirmation: 'none', status: 'pending'}]});
		emit({type: 'step-started', step: step.id, number: 1, title: step.title, phase: 'execute'});
		const batches = Math.round((seconds * 1000) / everyMs);
		Object.assign(layout, {calls: 0, ms: 0});
		Object.assign(frames, {count: 0, ms: 0});
		Object.assign(stats, {bytes: 0, writes: 0});
		cpu = process.cpuUsage();
		const started = performance.now();
		for (let batch = 1; batch <= batches; batch++) {
			// eslint-disable-next-line no-await-in-loop
			await new Promise(resolve => {
				setTimeout(resolve, started + (batch * everyMs) - performance.now());
			});
			const elapsedMs = performance.now() - started;
			emit({type: 'step-progress', step: step.id, progress: {source: 'enrollments', batch, batchSize: 1000, rowsScanned: batch * 1000, rowsTotal: batches * 1000, metrics: metric(batch), rowsPerSecond: 20_000, etaMs: (batches - batch) * everyMs, elapsedMs, throttle: null}});
		}

		wall = performance.now() - started;
		cpu = process.cpuUsage(cpu);
		const totals = {...frames, layoutCalls: layout.calls, layoutMs: layout.ms, ...stats};
		emit({type: 'step-finished', step: step.id, metrics: metric(batches), durationMs: wall, jobRunId: null});
		emit({type: 'run-finished', status: 'succeeded', exitCode: 0});
		const perSecond = (value: number) => Math.round((value / wall) * 1000 * 10) / 10;
		console.error(JSON.stringify({
			seconds: Math.round(wall) / 1000,
			progress_events_per_s: perSecond(batches),
			ink_frames_per_s: perSecond(totals.count),
			ink_render_ms_per_s: perSecond(totals.ms),
			react_commits_per_s: perSecond(totals.layoutCalls),
			yoga_layout_ms_per_s: perSecond(totals.layoutMs),
			stdout_kib_per_s: perSecond(totals.bytes / 1024),
			stdout_writes_per_s: perSecond(totals.writes),
			cpu_ms_per_s: perSecond((cpu.user + cpu.system) / 1000),
		}));
		const result: RunResult = {runId: 'bench', status: 'succeeded', exitCode: 0, evidenceDir: '/tmp/bench', steps: []};
		return result;
	},
});
