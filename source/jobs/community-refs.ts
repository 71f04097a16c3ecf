import type {Sql} from '../db/sql.js';

// `--community=<id|slug>,…` (DESIGN.md §3.2, §3.4): each reference is a numeric id or a slug, matched after
// slugifying the input the way Laravel's Str::slug does. Soft-deleted communities never match.

/** Laravel-style slug: ASCII-folded, lower-case, runs of other characters → '-', no leading/trailing '-'. */
export function slugify(text: string): string {
	return text
		.normalize('NFKD')
		.replace(/[\u0300-\u036F]/g, '')
		.toLowerCase()
		.replace(/[^a-z\d]+/g, '-')
		.replace(/^-+|-+$/g, '');
}

/** A comma list (or list of comma lists) → trimmed, non-empty, de-duplicated entries in order. */
export function splitList(value: string | readonly string[]): string[] {
	const parts = (typeof value === 'string' ? [value] : value).flatMap(item => item.split(','));
	return [...new Set(parts.map(part => part.trim()).filter(part => part !== ''))];
}

export type CommunityRow = {readonly id: number; readonly slug: string; readonly settings: string | null; readonly launched_at: string | null};

export type ResolvedCommunities = {
	/** Matched, non-deleted communities, in id order, each once. */
	readonly found: CommunityRow[];
	/** References that matched no non-deleted community, as given. */
	readonly unresolved: string[];
};

/** Resolves ids and slugs in one query; read-only, so `plan` and `execute` can both use it. */
export async function resolveCommunities(sql: Sql, references: readonly string[]): Promise<ResolvedCommunities> {
	if (references.length === 0) {
		return {found: [], unresolved: []};
	}

	const ids = references.filter(reference => /^\d{1,15}$/.test(reference)).map(Number);
	const slugs = [...new Set(references.map(reference => slugify(reference)).filter(slug => slug !== ''))];
	const conditions = [...(ids.length > 0 ? [`id IN (${ids.map(() => '?').join(', ')})`] : []), ...(slugs.length > 0 ? [`slug IN (${slugs.map(() => '?').join(', ')})`] : [])];
	if (conditions.length === 0) {
		return {found: [], unresolved: [...references]};
	}

	const rows = await sql.all<{id: unknown; slug: unknown; settings: unknown; launched_at: unknown}>(
		`SELECT id, slug, settings, launched_at FROM communities WHERE deleted_at IS NULL AND (${conditions.join(' OR ')}) ORDER BY id`,
		[...ids, ...slugs],
	);
	const communities = rows.map(row => ({
		id: Number(row.id),
		slug: String(row.slug),
		settings: row.settings === null || row.settings === undefined ? null : typeof row.settings === 'string' ? row.settings : JSON.stringify(row.settings),
		launched_at: row.launched_at === null || row.launched_at === undefined ? null : String(row.launched_at),
	}));
	const found = new Map<number, CommunityRow>();
	const unresolved: string[] = [];
	for (const reference of references) {
		const byId = /^\d{1,15}$/.test(reference) ? communities.find(community => community.id === Number(reference)) : undefined;
		const match = byId ?? communities.find(community => community.slug === slugify(reference));
		if (match) {
			found.set(match.id, match);
		} else {
			unresolved.push(reference);
		}
	}

	return {found: [...found.values()].sort((a, b) => a.id - b.id), unresolved};
}
