import type {z} from 'zod';
import type {OptionSpec} from './command.js';

// Each flag is declared once, on the zod field that validates it: `.meta({flag: '--batch <n>', description: '…'})`.
// The argument parser's options and the help text are read from there (this module), the values are validated by
// the same schema. Fields without a flag (parameters the runbook passes between steps) are not on the command line.

type FlagMeta = {readonly flag: string; readonly description: string};

type Unwrappable = {
	meta?: () => unknown;
	def?: {innerType?: unknown; in?: unknown; schema?: unknown};
	_zod?: {def?: {innerType?: unknown; in?: unknown; shape?: unknown}};
	shape?: Record<string, unknown>;
};

/** The options a schema's fields declare, in field order. */
export function optionsOf(schema: z.ZodType): OptionSpec[] {
	const shape = objectShape(schema);
	return Object.entries(shape).flatMap(([key, field]) => {
		const meta = flagMeta(field);
		return meta ? [{key, flags: meta.flag, description: meta.description}] : [];
	});
}

function objectShape(schema: unknown): Record<string, unknown> {
	let current = schema as Unwrappable | undefined;
	for (let depth = 0; depth < 8 && current; depth++) {
		if (current.shape && typeof current.shape === 'object') {
			return current.shape;
		}

		const def = current._zod?.def ?? current.def;
		current = (def?.in ?? def?.innerType) as Unwrappable | undefined;
	}

	throw new Error('optionsOf needs an object schema (possibly wrapped in a transform).');
}

function flagMeta(field: unknown): FlagMeta | undefined {
	let current = field as Unwrappable | undefined;
	for (let depth = 0; depth < 8 && current; depth++) {
		const meta = current.meta?.() as Partial<FlagMeta> | undefined;
		if (meta?.flag && meta.description) {
			return {flag: meta.flag, description: meta.description};
		}

		const def = current._zod?.def ?? current.def;
		current = (def?.innerType ?? def?.in) as Unwrappable | undefined;
	}

	return undefined;
}
