import {RunbookError} from '../core/errors.js';

// DESIGN.md §10: the exit-code table, in one place.
export const exitCodes = {
	success: 0,
	internal: 1,
	usage: 2,
	prerequisite: 3,
	verification: 4,
	rollback: 5,
	locked: 6,
	drift: 7,
	unreachable: 8,
	aborted: 130,
} as const;

export function exitCodeOf(error: unknown): number {
	return error instanceof RunbookError ? error.exitCode : exitCodes.internal;
}
