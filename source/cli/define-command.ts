import {z} from 'zod';
import type {Job} from '../engine/job.js';
import type {CommandContext, CommandEntry, CommandResult, OptionSpec} from './command.js';
import {optionsOf} from './option-flags.js';

// Commands are defined here cheaply: name, help and flags (read from the zod schema that validates them), with the
// code that runs them loaded only when the command runs. `--help` and `--version` load nothing heavy.

export function defineCommand<Options>(definition: {
	readonly name: string;
	readonly summary: string;
	readonly arguments?: ReadonlyArray<string>;
	readonly schema: z.ZodType<Options>;
	/** Flags declared on other schemas (the jobs' parameters `run` passes on). */
	readonly borrowed?: readonly OptionSpec[];
	readonly run: (context: CommandContext, options: Options) => Promise<CommandResult>;
}): CommandEntry {
	return {
		name: definition.name,
		summary: definition.summary,
		arguments: definition.arguments,
		options: [...optionsOf(definition.schema), ...(definition.borrowed ?? [])],
		load: async () => ({schema: definition.schema, run: definition.run}),
	};
}

export type JobCommandDefinition = {
	readonly name: string;
	readonly summary: string;
	/** The job's parameter schema: its flags are the command's flags. Imported cheaply (zod only). */
	readonly parameters: z.ZodType;
	readonly job: () => Promise<Job<any>>;
	/** `--dry-run`: the plan, nothing written (DESIGN.md §3). */
	readonly dryRun: boolean;
	/** seed-baseline and enable-feature refuse in production without --force (DESIGN.md §10). */
	readonly force: boolean;
	readonly mode?: 'execute' | 'rollback';
	/** The step id in the evidence (default: the command name, `<name>-dry-run` for a dry run). */
	readonly stepId?: string;
	readonly stepNumber?: number;
	/** Keys the command adds to its JSON document, from the step's details (verify's checks, rollback's conflicts). */
	readonly extra?: (details: Record<string, unknown>) => Record<string, unknown>;
	/** Parameter values that are secrets (redacted everywhere). */
	readonly secrets?: (params: Record<string, unknown>, env: NodeJS.ProcessEnv) => ReadonlyArray<string | undefined>;
};

const dryRunOption: OptionSpec = {key: 'dryRun', flags: '--dry-run', description: 'count exactly what would change; write nothing'};

/** A single job as a command: the command itself is the operator's decision, so it asks nothing. */
export function jobCommand(definition: JobCommandDefinition): CommandEntry {
	const options = [...optionsOf(definition.parameters), ...(definition.dryRun ? [dryRunOption] : [])];
	// The command's own schema only separates --dry-run; the job's schema validates the rest (one usage line).
	const schema = z.object({dryRun: z.boolean().default(false)}).catchall(z.unknown());
	return {
		name: definition.name,
		summary: definition.summary,
		options,
		load: async () => ({
			schema,
			run: async (context: CommandContext, raw: z.output<typeof schema>) => {
				const {runJobCommand} = await import('./actions/job-step.js');
				const {dryRun, ...params} = raw;
				return runJobCommand(context, definition, params, dryRun);
			},
		}),
	};
}
