// Typed errors carry their exit code (DESIGN.md §10) and a hint; the CLI maps them once, at the top.
export type ErrorOptions = {readonly hint?: string; readonly details?: unknown; readonly cause?: unknown};

export class RunbookError extends Error {
	readonly exitCode: number = 1;
	readonly hint: string | undefined;
	readonly details: unknown;

	constructor(message: string, options: ErrorOptions = {}) {
		super(message, {cause: options.cause});
		this.name = new.target.name;
		this.hint = options.hint;
		this.details = options.details;
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

export class InternalError extends RunbookError {
	override readonly exitCode = 1;
}
