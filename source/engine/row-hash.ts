import {sha256} from '../core/canonical-json.js';

/**
 * The columns a run may change per table. `after_hash` in runbook_undo is the hash of these columns as the run left
 * the row; rollback recomputes it from the row as it is now, and a mismatch is a conflict (DESIGN.md §8).
 */
export const trackedColumns: Readonly<Record<string, readonly string[]>> = {
	community_members: ['community_id', 'user_id', 'role', 'status', 'joined_at', 'deleted_at', 'metadata'],
	profile_activities: ['user_id', 'community_id', 'activity_type', 'subject_type', 'subject_id', 'idempotency_key', 'occurred_at', 'context'],
	community_categories: ['slug', 'name', 'tagline', 'icon_path', 'color_hex', 'sort_order', 'is_active'],
	community_levels: ['community_id', 'level', 'name', 'points_required', 'is_active'],
	community_points_rules: ['community_id', 'action', 'points', 'cooldown_seconds', 'is_active'],
	communities: ['settings', 'launched_at'],
};

/** Normalises driver differences (numeric strings, bigint) so SQLite and MariaDB rows hash alike. */
function normalise(value: unknown): unknown {
	if (value === undefined || value === null) {
		return null;
	}

	if (typeof value === 'bigint') {
		return Number(value);
	}

	if (typeof value === 'number' || typeof value === 'boolean') {
		return Number(value);
	}

	return String(value);
}

/**
 * sha256 of the canonical JSON of `{table, ...tracked columns}`. Every value is a scalar after `normalise`, so the
 * sorted-key JSON is written directly: a batch hashes every row it writes, and the generic canonicalJson (copy, sort,
 * rebuild per row) was a tenth of a backfill's time. test/engine/row-hash.test.ts pins it to canonicalJson.
 */
export function rowHash(table: string, row: Readonly<Record<string, unknown>>): string {
	const keys = sortedKeys.get(table);
	if (!keys) {
		throw new Error(`No tracked columns for table ${table}.`);
	}

	let json = '{';
	for (const [index, key] of keys.entries()) {
		json += `${index === 0 ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(key === 'table' ? table : normalise(row[key]))}`;
	}

	return sha256(`${json}}`);
}

const sortedKeys = new Map(Object.entries(trackedColumns).map(([table, columns]) => [table, ['table', ...columns].sort()]));

/** The tracked columns of a row, for an undo row's `before`. */
export function pickTracked(table: string, row: Readonly<Record<string, unknown>>): Record<string, unknown> {
	return Object.fromEntries((trackedColumns[table] ?? []).map(column => [column, normalise(row[column])]));
}
