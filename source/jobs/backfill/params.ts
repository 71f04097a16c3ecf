import {z} from 'zod';
import type {Sql} from '../../db/sql.js';
import {UsageError} from '../../core/errors.js';
import {slugify} from '../community-refs.js';

export type BackfillParams = {
	readonly source: 'classrooms';
	readonly batch: number;
	/** Normalised --community tokens (ids as digits, slugs slugified), deduplicated and sorted; undefined = all. */
	readonly community: string[] | undefined;
};

export const batchRangeMessage = '--batch must be an integer 1..100000';

const batchSchema = z
	.union([z.string(), z.number()])
	.optional()
	.transform((value, context) => {
		if (value === undefined) {
			return 1000;
		}

		const number = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
		if (!Number.isSafeInteger(number) || number < 1 || number > 100_000) {
			context.addIssue({code: 'custom', message: `${batchRangeMessage} (got ${JSON.stringify(value)})`});
			return z.NEVER;
		}

		return number;
	});

const communitySchema = z
	.union([z.string(), z.array(z.union([z.string(), z.number()])), z.number()])
	.optional()
	.transform((value, context) => {
		if (value === undefined) {
			return undefined;
		}

		const raw = Array.isArray(value) ? value.map(String) : String(value).split(',');
		const tokens = raw.map(token => token.trim()).filter(token => token !== '');
		const normalised = tokens.map(token => (/^\d+$/.test(token) ? String(Number(token)) : slugify(token)));
		if (normalised.length === 0 || normalised.includes('')) {
			context.addIssue({code: 'custom', message: `--community takes community ids or slugs, comma-separated (got ${JSON.stringify(value)})`});
			return z.NEVER;
		}

		return [...new Set(normalised)].sort();
	});

export const backfillParameters: z.ZodType<BackfillParams> = z.object({
	source: z.unknown().transform((value, context) => {
		if (value !== 'classrooms') {
			context.addIssue({code: 'custom', message: `--source must be classrooms${value === undefined ? ' (it is required)' : ` (got ${JSON.stringify(value)})`}`});
			return z.NEVER;
		}

		return 'classrooms' as const;
	}).meta({flag: '--source <source>', description: 'where memberships come from; only: classrooms'}),
	batch: batchSchema.meta({flag: '--batch <n>', description: 'pairs per batch, 1..100000 (default 1000)'}),
	community: communitySchema.meta({flag: '--community <ids>', description: 'community ids or slugs, comma-separated (default: every linked community)'}),
}) as unknown as z.ZodType<BackfillParams>;

/**
 * The ids of the named communities, in id order; a token that matches no non-deleted community (by id, or by slug
 * after slugifying) is a usage error naming it. Undefined when no --community was given (= every community).
 */
export async function resolveCommunities(sql: Sql, tokens: readonly string[] | undefined): Promise<number[] | undefined> {
	if (!tokens) {
		return undefined;
	}

	const ids = new Set<number>();
	const rows = await sql.all<{id: unknown; slug: unknown}>(
		`SELECT id, slug FROM communities WHERE deleted_at IS NULL AND (slug IN (${tokens.map(() => '?').join(', ')}) OR id IN (${tokens.map(() => '?').join(', ')}))`,
		[...tokens, ...tokens.map(token => (/^\d+$/.test(token) ? Number(token) : -1))],
	);
	for (const token of tokens) {
		const bySlug = rows.find(row => String(row.slug) === token);
		const match = /^\d+$/.test(token) ? (rows.find(row => Number(row.id) === Number(token)) ?? bySlug) : bySlug;
		if (!match) {
			throw new UsageError(`Community [${token}] was not found.`, {hint: 'Pass the id or slug of a community that exists and is not deleted (--community=<id|slug>,…); nothing was written.'});
		}

		ids.add(Number(match.id));
	}

	return [...ids].sort((a, b) => a - b);
}
