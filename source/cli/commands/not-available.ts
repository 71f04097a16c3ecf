import {z} from 'zod';
import {UsageError} from '../../core/errors.js';
import type {CommandSpec} from '../command.js';

/** A registered command whose implementation has not landed yet: exit 2, and say so. */
export function notAvailable(name: string, summary: string, options: CommandSpec['options'], commandArguments?: string[]): CommandSpec {
	return {
		name,
		summary,
		options,
		arguments: commandArguments,
		schema: z.record(z.string(), z.unknown()),
		async run() {
			throw new UsageError(`"${name}" is not available yet.`, {hint: 'This command arrives with a later release of the tool.'});
		},
	};
}
