import {z} from 'zod';
import {backfillMembership} from '../../jobs/backfill-membership.js';
import {jobCommand} from '../job-command.js';

export const backfillMembershipCommand = jobCommand({
	name: 'backfill-membership',
	summary: 'Backfill community memberships from classroom enrollments',
	options: [
		['--source <source>', 'only: classrooms'],
		['--batch <n>', 'pairs per batch (default 1000)'],
		['--community <ids>', 'community ids or slugs, comma-separated'],
		['--dry-run', 'count exactly, write nothing'],
	],
	// Raw strings here; the job's own zod schema validates them into one usage line naming the flag.
	schema: z.object({source: z.string().optional(), batch: z.string().optional(), community: z.string().optional(), dryRun: z.boolean().default(false)}),
	job: backfillMembership,
	rawParams: options => ({source: options.source, batch: options.batch, community: options.community, dryRun: options.dryRun}),
	dryRun: options => options.dryRun,
});
