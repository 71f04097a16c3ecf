import {z} from 'zod';
import {describeTarget} from '../../db/database-url.js';
import {demoSizes, generateDemo} from '../../db/demo/generate-demo.js';
import {UsageError} from '../../core/errors.js';
import type {CommandSpec} from '../command.js';

// `demo [--size=tiny|small|1m] [--seed=N]` (DESIGN.md §10): drops and recreates the platform tables and fills them
// with a deterministic dataset holding every case the jobs must handle. Demo and testing profiles only.

const maxSeed = 2 ** 31;
const seedMessage = `--seed must be a whole number from 0 to ${maxSeed}`;

const schema = z.object({
	size: z.enum(demoSizes, {error: issue => `--size must be tiny, small or 1m (got "${String(issue.input)}")`}).default('small'),
	seed: z
		.string()
		.regex(/^\d{1,10}$/, seedMessage)
		.transform(Number)
		.refine(seed => seed <= maxSeed, seedMessage)
		.default(42),
});

type DemoCommandOptions = z.infer<typeof schema>;

export const demoCommand: CommandSpec<DemoCommandOptions> = {
	name: 'demo',
	summary: 'Create the platform tables and a realistic demo dataset (demo/testing only)',
	options: [
		['--size <size>', 'tiny | small | 1m (default small)'],
		['--seed <n>', 'random seed (default 42)'],
	],
	schema,
	async run(context, options) {
		if (context.profile === 'production') {
			throw new UsageError('demo drops and recreates the platform tables, so it refuses the production profile.', {
				hint: 'Point it at a scratch database with --profile=demo or --profile=testing (a sqlite: URL is testing by default).',
			});
		}

		const database = await context.connect({createSqliteFile: true});
		const where = describeTarget(database.target);
		try {
			context.terminal.stderr.write(`note: generating the ${options.size} demo dataset (seed ${options.seed}) in ${where}…\n`);
			const summary = await generateDemo(database.sql, {size: options.size, seed: options.seed});
			const urlFlag = context.global.databaseUrl === undefined ? '' : ` --database-url=${where}`;
			return {
				status: 'succeeded',
				params: {size: options.size, seed: options.seed},
				metrics: summary.rows,
				extra: {api_token: summary.token, database: where},
				lines: [
					`Demo dataset "${options.size}" (seed ${options.seed}) written to ${where} in ${(summary.durationMs / 1000).toFixed(1)} s.`,
					`API token of the internal user ops@example.test (id ${summary.internalUserId}): ${summary.token}`,
					`Next: \`npm start${urlFlag === '' ? '' : ` --${urlFlag}`}\` for the guided session, or \`community-runbook run --yes --backup-ack${urlFlag}\` to run the steps non-interactively.`,
				],
			};
		} finally {
			await database.close();
		}
	},
};
