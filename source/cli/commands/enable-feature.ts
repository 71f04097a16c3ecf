import {z} from 'zod';
import {enableFeature} from '../../jobs/enable-feature.js';
import {jobCommand} from '../job-command.js';

// enable-feature (DESIGN.md §3.4, §10). Values are validated by the job's parameters (one usage line naming the
// flag, exit 2, nothing written); production refuses without --force (jobCommand).
export const enableFeatureCommand = jobCommand({
	name: 'enable-feature',
	summary: 'Turn a feature flag on (flag and rollout files) and mark beta communities',
	options: [
		['--flag <name>', 'flag name, e.g. community_profile_activity'],
		['--percentage <n>', '0..100 (default 100)'],
		['--segment <names>', 'comma list (default internal)'],
		['--community <ids>', 'community ids or slugs to mark as beta'],
		['--force', 'required in the production profile'],
	],
	schema: z.object({
		flag: z.string().optional(),
		percentage: z.string().optional(),
		segment: z.string().optional(),
		community: z.string().optional(),
		force: z.boolean().default(false),
	}),
	job: enableFeature,
	rawParams: options => ({flag: options.flag, percentage: options.percentage, segment: options.segment, community: options.community, force: options.force}),
	force: options => options.force,
});
