import {DriftDetected} from '../core/errors.js';
import type {DriftChoice} from './runner-events.js';
import type {PlannedRun} from './ports.js';

// DESIGN.md §6 "Dry-run fidelity": an execution is compared with the dry run before it twice — on the work-set
// figures before its first write, and on every metric at the end. A difference is drift; the operator decides.

export type Drift = Record<string, [number, number]>;

/** Metrics that differ between the dry run and the execution: {metric: [planned, actual]}; only `keys` when given. */
export function compareMetrics(planned: Readonly<Record<string, number>>, actual: Readonly<Record<string, number>>, keys?: readonly string[]): Drift | null {
	const drift: Drift = {};
	for (const key of keys ?? new Set([...Object.keys(planned), ...Object.keys(actual)])) {
		if ((planned[key] ?? 0) !== (actual[key] ?? 0)) {
			drift[key] = [planned[key] ?? 0, actual[key] ?? 0];
		}
	}

	return Object.keys(drift).length > 0 ? drift : null;
}

export type DriftPhase = 'before-first-write' | 'after';

/** Asks (TUI) or answers from flags (`--accept-drift`); anything but 'accept' stops the step. */
export type DriftDecider = (request: {readonly step: string; readonly drift: Drift; readonly phase: DriftPhase}) => Promise<DriftChoice>;

/** The error that stops a step on drift; `choice` says whether the operator also asked for a rollback. */
export function driftError(drift: Drift, phase: DriftPhase, planned: PlannedRun, choice: DriftChoice): DriftDetected & {readonly choice: DriftChoice} {
	const figures = Object.entries(drift)
		.map(([key, [before, after]]) => `${key} planned ${before}, actual ${after}`)
		.join('; ');
	const when = phase === 'before-first-write' ? 'The work set differs from the dry run' : 'The execution differs from the dry run';
	const error = new DriftDetected(`${when} (${planned.runId}): ${figures}.${phase === 'before-first-write' ? ' Nothing was written.' : ''}`, {
		hint:
			phase === 'before-first-write'
				? 'The data changed since the dry run: run the dry run again and review it, or pass --accept-drift to go ahead.'
				: 'Review the differences; re-run with --accept-drift to accept them, or roll back with `community-runbook rollback`.',
	});
	return Object.assign(error, {choice});
}
