import {z} from 'zod';
import {migrateLegacyActivity} from '../../jobs/migrate-legacy-activity.js';
import {jobCommand} from '../job-command.js';

export const migrateLegacyActivityCommand = jobCommand({
	name: 'migrate-legacy-activity',
	summary: 'Migrate posts, comments and certificates into profile_activities',
	options: [
		['--chunk <n>', 'source rows per batch (default 500)'],
		['--since <when>', "ISO date/datetime or relative ('-90 days', '90 days ago')"],
		['--dry-run', 'count exactly, write nothing'],
	],
	// Raw strings here; the job's own schema validates them (one line naming --chunk / --since).
	schema: z.object({chunk: z.string().optional(), since: z.string().optional(), dryRun: z.boolean().default(false)}),
	job: migrateLegacyActivity,
	rawParams: options => ({chunk: options.chunk, since: options.since}),
	dryRun: options => options.dryRun,
});
