import type {Progress} from '../engine/progress.js';
import {metricsTableHeight} from './components/metrics-table.js';
import {sideBySideFrom} from './components/live-step.js';
import type {PromptMode} from './keymap.js';
import type {PendingRequest, StepView} from './run-state.js';

// Line budgets, so the live area stays shorter than the terminal (taller output makes Ink clear and redraw the whole
// screen on every frame). Estimates err on the tall side; the step list gets what is left.

/** Lines a text takes when wrapped at `width`. */
export function linesOf(text: string, width: number): number {
	return Math.max(1, Math.ceil(text.length / Math.max(1, width)));
}

export function liveStepHeight(step: StepView, progress: Progress | null, throttle: unknown, width: number): number {
	const panel = 2 + (progress ? 1 : 0) + (throttle ? 1 : 0);
	const metrics = new Set([...Object.keys(step.planned ?? {}), ...Object.keys(progress?.metrics ?? {})]).size;
	const table = metricsTableHeight(metrics);
	return width >= sideBySideFrom ? Math.max(panel, table) : panel + table;
}

export function promptHeight(pending: PendingRequest, mode: PromptMode, width: number): number {
	switch (pending.kind) {
		case 'approval': {
			const {request} = pending;
			const heading = linesOf(`? ${request.number}. ${request.title} (${request.phase}): ${request.description}`, width);
			const body = mode === 'choice' ? linesOf('y run it (you type "migrate" to confirm) · s skip it (asks a reason) · q abort the run (resumable) · e evidence', width) : 2 + 2;
			return heading + body + metricsTableHeight(Object.keys(request.planned ?? {}).length);
		}

		case 'failure': {
			const {error} = pending.request;
			return linesOf(`✖ ${pending.request.step} failed (exit ${error.code}): ${error.message}`, width) + (error.hint ? linesOf(`  Hint: ${error.hint}`, width) : 0) + 2 + 2;
		}

		case 'drift': {
			return 1 + Object.keys(pending.request.drift).length + 2;
		}
	}
}
