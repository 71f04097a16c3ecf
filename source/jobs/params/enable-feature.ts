import {z} from 'zod';
import {splitList} from '../community-refs.js';

// enable-feature's parameters (DESIGN.md §3.4); each flag declared once, here.

export const flagPattern = /^[a-z][a-z\d_.-]{0,63}$/;
const segmentPattern = /^[a-z\d_-]+$/;
const flagMessage = '--flag must be a flag name matching ^[a-z][a-z0-9_.-]{0,63}$ (e.g. community_profile_activity)';
const percentageMessage = '--percentage must be an integer 0..100';
const list = z.union([z.string(), z.array(z.string())]);

export const enableFeatureParameters = z.object({
	flag: z.string({error: flagMessage}).trim().regex(flagPattern, flagMessage).meta({flag: '--flag <name>', description: 'flag name, e.g. community_profile_activity'}),
	percentage: z
		.union([z.number(), z.string()], {error: percentageMessage})
		.default(100)
		.transform((value, context) => {
			const number = typeof value === 'number' ? value : /^\s*\d{1,3}\s*$/.test(value) ? Number(value) : Number.NaN;
			if (!Number.isInteger(number) || number < 0 || number > 100) {
				context.addIssue({code: 'custom', message: percentageMessage});
				return z.NEVER;
			}

			return number;
		})
		.meta({flag: '--percentage <n>', description: 'rollout percentage 0..100 (default 100); the flag is on when > 0'}),
	segment: list.default('internal').transform((value, context) => {
		const segments = splitList(value);
		const bad = segments.find(segment => !segmentPattern.test(segment));
		if (segments.length === 0 || bad !== undefined) {
			context.addIssue({code: 'custom', message: `--segment must be a comma list of names matching ^[a-z0-9_-]+$${bad === undefined ? '' : ` ("${bad}" does not)`}`});
			return z.NEVER;
		}

		return segments;
	}).meta({flag: '--segment <names>', description: 'segments, comma-separated (default internal)'}),
	community: list
		.optional()
		.transform(value => (value === undefined ? undefined : splitList(value)))
		.meta({flag: '--community <ids>', description: 'community ids or slugs to mark as beta, comma-separated'}),
	force: z.boolean().default(false).meta({flag: '--force', description: 'required in the production profile'}),
});

export type EnableFeatureParams = z.output<typeof enableFeatureParameters>;


