import {z} from 'zod';
import {defineCommand} from '../define-command.js';

// `demo [--size=tiny|small|1m] [--seed=N] [--legacy-plain]` (DESIGN.md §10).

const maxSeed = 2 ** 31;
const seedMessage = `--seed must be a whole number from 0 to ${maxSeed}`;
export const demoSizes = ['tiny', 'small', '1m'] as const;

const schema = z.object({
	size: z
		.enum(demoSizes, {error: issue => `--size must be tiny, small or 1m (got "${String(issue.input)}")`})
		.default('small')
		.meta({flag: '--size <size>', description: 'tiny | small | 1m (default small)'}),
	seed: z
		.string()
		.regex(/^\d{1,10}$/, seedMessage)
		.transform(Number)
		.refine(seed => seed <= maxSeed, seedMessage)
		.default(42)
		.meta({flag: '--seed <n>', description: 'random seed (default 42)'}),
	legacyPlain: z
		.boolean()
		.default(false)
		.meta({flag: '--legacy-plain', description: 'write the encrypted JSON columns as plain JSON, as the platform did before it encrypted them (no APP_KEY)'}),
});

export type DemoOptions = z.output<typeof schema>;

export const demoCommand = defineCommand({
	name: 'demo',
	summary: 'Create the platform tables and a realistic demo dataset (demo/testing only)',
	schema,
	run: async (context, options) => (await import('../actions/demo.js')).runDemo(context, options),
});
