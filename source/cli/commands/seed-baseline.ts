import {z} from 'zod';
import {seedBaseline} from '../../jobs/seed-baseline.js';
import {jobCommand} from '../job-command.js';

export const seedBaselineCommand = jobCommand({
	name: 'seed-baseline',
	summary: 'Upsert the baseline categories, levels and points rules',
	options: [['--force', 'required in the production profile']],
	schema: z.object({force: z.boolean().default(false)}),
	job: seedBaseline,
	rawParams: options => ({force: options.force}),
	force: options => options.force,
});
