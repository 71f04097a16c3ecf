import type {z} from 'zod';
import {UsageError} from '../core/errors.js';

const flagOf = (key: PropertyKey | undefined) => (typeof key === 'string' ? `--${key.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)}` : 'the input');

/** One readable line for the first problem zod found (pastel's approach; STYLE.md "validation at the edges"). */
export function usageErrorFrom(error: z.ZodError, hint?: string): UsageError {
	const issue = error.issues[0];
	const flag = flagOf(issue?.path[0]);
	const message = issue?.message ?? 'invalid input';
	const text = message.startsWith('--') ? message : `${flag}: ${message}`;
	return new UsageError(`${text}.`.replace(/\.\.$/, '.'), {hint: hint ?? `Run with --help to see the accepted values.`});
}
