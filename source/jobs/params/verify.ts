import {z} from 'zod';

// verify's parameters (DESIGN.md §7); each flag declared once, here.

const integer = (message: string, min: number, max: number, fallback: number) =>
	z
		.union([z.number(), z.string()], {error: message})
		.optional()
		.transform((value, context) => {
			if (value === undefined) {
				return fallback;
			}

			const number = typeof value === 'number' ? value : /^\s*-?\d{1,12}\s*$/.test(value) ? Number(value) : Number.NaN;
			if (!Number.isSafeInteger(number) || number < min || number > max) {
				context.addIssue({code: 'custom', message: `${message} (got ${JSON.stringify(value)})`});
				return z.NEVER;
			}

			return number;
		});

export const verifyParameters = z.object({
	apiUrl: z
		.string()
		.trim()
		.refine(value => /^https?:\/\/\S+$/i.test(value) && URL.canParse(value), '--api-url must be an http(s) URL, e.g. https://platform.example.com')
		.optional()
		.meta({flag: '--api-url <url>', description: 'profile-activity API base URL (default RUNBOOK_API_URL; in demo/testing the tool serves its own)'}),
	token: z.string().trim().min(1, '--token must not be empty').optional().meta({flag: '--token <token>', description: 'API bearer token (default RUNBOOK_API_TOKEN)'}),
	sample: integer('--sample must be an integer 1..10000', 1, 10_000, 50).meta({flag: '--sample <n>', description: 'users to reconcile, 1..10000 (default 50)'}),
	seed: integer('--seed must be an integer', -2_147_483_648, 4_294_967_295, 1).meta({flag: '--seed <n>', description: 'sampling seed (default 1)'}),
	/** The runs to verify (the runbook passes its own session's); default: the newest succeeded ones. */
	backfillRun: z.string().optional(),
	migrateRun: z.string().optional(),
});

export type VerifyParams = z.output<typeof verifyParameters>;
