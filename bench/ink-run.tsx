// (c) The job under the guided session's Ink renderer, drawing to an off-screen terminal: the same App the TUI mounts,
// fed the step's events as the runner would feed them.
import {PassThrough, Writable} from 'node:stream';
import type {EngineEvent} from '../source/engine/ports.js';
import type {RunEvent, RunResult} from '../source/engine/runner-events.js';
import {runGuidedSession} from '../source/ui/run-ui.js';

export type OffscreenStats = {bytes: number; writes: number; workMs?: number; closeMs?: number};

export function offscreenTerminal(stats: OffscreenStats): {stdout: NodeJS.WriteStream; stdin: NodeJS.ReadStream} {
	const stdout = new Writable({
		write(chunk: Buffer | string, _encoding, done) {
			stats.bytes += chunk.length;
			stats.writes++;
			done();
		},
	}) as unknown as NodeJS.WriteStream & {columns: number; rows: number; isTTY: boolean};
	Object.assign(stdout, {columns: 120, rows: 40, isTTY: true});
	const stdin = new PassThrough() as unknown as NodeJS.ReadStream & {isTTY: boolean; setRawMode: (mode: boolean) => unknown};
	Object.assign(stdin, {isTTY: true, setRawMode: () => stdin, ref: () => stdin, unref: () => stdin});
	return {stdout, stdin};
}

/** Runs `work` (which emits the step's engine events) under the TUI; resolves with work's result. */
export async function underInk<T>(step: {id: string; title: string}, work: (emit: (event: EngineEvent) => void) => Promise<T>, stats: OffscreenStats): Promise<T> {
	const {stdout, stdin} = offscreenTerminal(stats);
	let value: T | undefined;
	const mounted = Date.now();
	await runGuidedSession({
		stdout,
		stdin,
		color: false,
		title: 'bench',
		database: 'bench',
		operatorName: 'bench',
		async start(_operator, onEvent) {
			const started = Date.now();
			onEvent({type: 'run-started', runId: 'bench', resumed: false, evidenceDir: '', steps: [{id: step.id, number: 1, title: step.title, phase: 'execute', confirmation: 'none', status: 'pending'}]});
			onEvent({type: 'step-started', step: step.id, number: 1, title: step.title, phase: 'execute'});
			value = await work(event => {
				onEvent(event as RunEvent);
			});
			stats.workMs = Date.now() - started;
			const metrics = (value as {metrics?: Record<string, number>}).metrics ?? {};
			onEvent({type: 'step-finished', step: step.id, metrics, durationMs: Date.now() - started, jobRunId: null});
			onEvent({type: 'run-finished', status: 'succeeded', exitCode: 0});
			const result: RunResult = {runId: 'bench', status: 'succeeded', exitCode: 0, evidenceDir: '', steps: [{id: step.id, status: 'succeeded', metrics, run_id: null, error: null, duration_ms: Date.now() - started}]};
			return result;
		},
	});
	stats.closeMs = Date.now() - mounted - (stats.workMs ?? 0);
	return value as T;
}
