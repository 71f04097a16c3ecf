// Typed errors carry their exit code (DESIGN.md §10) and a hint; the CLI maps them once, at the top.
export type ErrorOptions = {readonly hint?: string; readonly details?: unknown; readonly cause?: unknown};

/** What the JSON document of a failed command still reports about the run it stopped (DESIGN.md §10 "JSON output"). */
export type RunData = {
	readonly runId?: string | null;
	readonly metrics?: Readonly<Record<string, number>>;
	readonly drift?: Readonly<Record<string, readonly [number, number]>> | null;
	readonly evidenceDir?: string | null;
	/** Extra top-level keys of the JSON document (rollback conflicts, runbook steps). */
	readonly extra?: Readonly<Record<string, unknown>>;
};

export class RunbookError extends Error {
	readonly exitCode: number = 1;
	readonly hint: string | undefined;
	readonly details: unknown;
	run: RunData = {};
	/** The run's work is over (done, or given up on purpose): it ends final and is never resumed. */
	concluded = false;

	constructor(message: string, options: ErrorOptions = {}) {
		super(message, {cause: options.cause});
		this.name = new.target.name;
		this.hint = options.hint;
		this.details = options.details;
	}

	/** Adds what is known of the run the error stopped; later calls fill in, never erase. */
	withRun(data: RunData): this {
		this.run = {...Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined)), ...this.run};
		return this;
	}

	conclude(): this {
		this.concluded = true;
		return this;
	}
}

export class UsageError extends RunbookError {
	override readonly exitCode = 2;
}

export class PrerequisiteFailed extends RunbookError {
	override readonly exitCode = 3;
}

export class VerificationFailed extends RunbookError {
	override readonly exitCode = 4;
}

export class RollbackFailed extends RunbookError {
	override readonly exitCode = 5;
}

export class LockHeld extends RunbookError {
	override readonly exitCode = 6;
}

export class DriftDetected extends RunbookError {
	override readonly exitCode = 7;
}

export class DatabaseUnreachable extends RunbookError {
	override readonly exitCode = 8;
}

export class OperatorAborted extends RunbookError {
	override readonly exitCode = 130;
}

/** A bug: the CLI prints the stack (of the cause, when it wraps one) and says so. */
export class InternalError extends RunbookError {
	override readonly exitCode = 1;
}

/** Any failure as a RunbookError: typed ones as they are, anything else an InternalError wrapping it. */
export function asRunbookError(error: unknown): RunbookError {
	if (error instanceof RunbookError) {
		return error;
	}

	const message = error instanceof Error ? error.message : String(error);
	return new InternalError(message, {cause: error});
}
