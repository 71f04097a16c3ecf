import {z} from 'zod';
import {defineCommand} from '../define-command.js';

// `guide` (the default command, DESIGN.md §1, §5): the guided TUI session.

const schema = z.object({
	resume: z.boolean().default(false).meta({flag: '--resume', description: 'continue the last unfinished run (the default; --restart starts a new one)'}),
});

export type GuideOptions = z.output<typeof schema>;

export const guideCommand = defineCommand({
	name: 'guide',
	summary: 'Guided TUI session (needs a TTY; otherwise use `run --yes`); continues an unfinished run unless --restart',
	schema,
	run: async (context, options) => (await import('../actions/guide.js')).runGuide(context, options),
});
