import {z} from 'zod';
import {backfillParameters} from '../../jobs/backfill/params.js';
import {legacyActivityParameters} from '../../jobs/legacy-activity/params.js';
import {defineCommand} from '../define-command.js';
import {optionsOf} from '../option-flags.js';

// `run [--yes] [--from=S] [--until=S] [--resume] [--accept-drift] [--backup-ack] [--batch=N] [--chunk=N] [--since=…]`
// (DESIGN.md §5, §10). --batch, --chunk and --since are the jobs' own flags, declared and validated by their
// parameter schemas; `run` passes them to its steps as given.

const borrowed = [
	...optionsOf(backfillParameters).filter(option => option.key === 'batch'),
	...optionsOf(legacyActivityParameters).filter(option => option.key === 'chunk' || option.key === 'since'),
];

const schema = z.object({
	from: z.string().optional().meta({flag: '--from <step>', description: 'first step to run (a step id)'}),
	until: z.string().optional().meta({flag: '--until <step>', description: 'last step to run (a step id)'}),
	resume: z.boolean().default(false).meta({flag: '--resume', description: 'continue the unfinished runbook run'}),
	backupAck: z.boolean().default(false).meta({flag: '--backup-ack', description: 'acknowledge a fresh backup exists (needed with --yes)'}),
	batch: z.string().optional(),
	chunk: z.string().optional(),
	since: z.string().optional(),
});

export type RunOptions = z.output<typeof schema>;

export const runCommand = defineCommand({
	name: 'run',
	summary: 'Run the stage-11 runbook steps 1-9 non-interactively',
	schema,
	borrowed,
	run: async (context, options) => (await import('../actions/run.js')).runRunbookCommand(context, options),
});
