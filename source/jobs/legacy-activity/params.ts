import {z} from 'zod';
import {parseSince, type SinceSpec, sinceForms} from './since.js';

export type LegacyActivityParams = {
	/** Source rows per batch (DESIGN.md §3.3 `--chunk`); never part of the semantic params. */
	readonly chunk: number;
	/** `--since` exactly as the operator gave it (the resume and drift checks compare this text). */
	readonly since: string | null;
	/** The parsed form; a relative one is resolved once, at the run's start. */
	readonly sinceSpec: SinceSpec | null;
	/** The since an earlier step already resolved (ISO instant): the runbook's execution uses its dry run's. */
	readonly sinceAt: string | null;
};

export const chunkRange = {min: 1, max: 100_000, default: 500} as const;
const chunkMessage = `--chunk must be an integer ${chunkRange.min}..${chunkRange.max}`;

/** Strings from the CLI (`"500"`) or numbers from the runbook; `1e3`, `1.5`, `abc`, 0 and huge values are refused. */
const chunk = z
	.union([z.number(), z.string()])
	.optional()
	.transform((value, context) => {
		if (value === undefined) {
			return chunkRange.default;
		}

		const text = String(value).trim();
		const number = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
		if (!Number.isInteger(number) || number < chunkRange.min || number > chunkRange.max) {
			context.addIssue({code: 'custom', message: `${chunkMessage} (got ${JSON.stringify(value)})`});
			return z.NEVER;
		}

		return number;
	});

const since = z
	.union([z.string(), z.null()])
	.optional()
	.transform((value, context) => {
		if (value === undefined || value === null || value.trim() === '') {
			if (value !== undefined && value !== null) {
				context.addIssue({code: 'custom', message: `--since is empty; give ${sinceForms}`});
				return z.NEVER;
			}

			return {since: null, sinceSpec: null};
		}

		const parsed = parseSince(value);
		if (!parsed.ok) {
			context.addIssue({code: 'custom', message: `--since: ${parsed.reason}; give ${sinceForms}`});
			return z.NEVER;
		}

		return {since: value, sinceSpec: parsed.spec};
	});

const sinceAt = z
	.string()
	.refine(value => !Number.isNaN(Date.parse(value)), 'sinceAt must be an ISO-8601 instant')
	.optional();

export const legacyActivityParameters: z.ZodType<LegacyActivityParams> = z
	.object({
		chunk: chunk.meta({flag: '--chunk <n>', description: 'source rows per batch (default 500)'}),
		since: since.meta({flag: '--since <when>', description: "ISO date/datetime or relative ('-90 days', '90 days ago'), in the platform's time zone"}),
		sinceAt,
	})
	.transform(({chunk, since, sinceAt}) => ({chunk, since: since.since, sinceSpec: since.sinceSpec, sinceAt: sinceAt ?? null})) as unknown as z.ZodType<LegacyActivityParams>;
