import {hash} from 'node:crypto';
import {sha256} from '../core/canonical-json.js';
import type {Sql} from '../db/sql.js';
import {type RowWrite, rowsAfterWrite} from '../db/table-shape.js';

// DESIGN.md §8: `after_hash` in runbook_undo is the hash of the row as the run left it; rollback recomputes it from
// the row as it is now, and a mismatch is a conflict. Two forms exist:
// - `r2:` + sha256 in base64url (wholeRowHash; 46 characters, as runbook_undo.after_hash is VARCHAR(64)): every
//   column of the row, so a change the platform makes to a column the run never wrote (`points`, `last_seen_at`, …)
//   is a conflict too. Every writer produces this form.
// - a bare 64-hex sha256 (legacyRowHash): only the tracked columns below. Undo rows written before the whole-row
//   hash still hold it, and rollback still verifies them with it.

/** The columns a run may change per table: what legacy hashes cover, and the tables the tool writes at all. */
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
 * The legacy form: sha256 of the canonical JSON of `{table, ...tracked columns}`. Every value is a scalar after
 * `normalise`, so the sorted-key JSON is written directly (the generic canonicalJson copies, sorts and rebuilds per
 * row). test/engine/row-hash.test.ts pins it to canonicalJson. Only rollback calls it, for undo rows written before
 * the whole-row hash; new undo rows use `wholeRowHash`.
 */
export function legacyRowHash(table: string, row: Readonly<Record<string, unknown>>): string {
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

/** The prefix of the whole-row form of `after_hash`. */
export const wholeRowHashPrefix = 'r2:';

/**
 * `r2:` + sha256 (base64url, 43 characters) of the canonical JSON of every column of the row (sorted keys; values normalised across drivers:
 * numbers and booleans as numbers, bigint as a number, everything else as its string, null). The row must be
 * complete — as `SELECT *` returns it, or as `completeRow` (source/db/table-shape.ts) predicts it.
 */
export function wholeRowHash(row: Readonly<Record<string, unknown>>): string {
	const names = sortedNames(Object.keys(row));
	let json = '{';
	for (const [index, name] of names.keys.entries()) {
		const value = row[name];
		json += `${index === 0 ? '' : ','}${names.json[index]!}${typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(normalise(value))}`;
	}

	return wholeRowHashPrefix + hash('sha256', `${json}}`, 'base64url');
}

type SortedNames = {readonly order: readonly string[]; readonly keys: readonly string[]; readonly json: readonly string[]};

let lastNames: SortedNames = {order: [], keys: [], json: []};

/**
 * The row's column names sorted, with their JSON (`"name":`). A batch's rows all come with the same columns in the
 * same order, so the last answer is kept and reused while the order matches.
 */
function sortedNames(order: readonly string[]): SortedNames {
	const last = lastNames;
	if (order.length === last.order.length && order.every((name, index) => name === last.order[index])) {
		return last;
	}

	const keys = [...order].sort();
	lastNames = {order, keys, json: keys.map(key => `${JSON.stringify(key)}:`)};
	return lastNames;
}

/** The hash of `row` in the same form as `afterHash` (whole-row for `r2:`, else legacy), for comparing with it. */
export function hashLike(afterHash: string | null, table: string, row: Readonly<Record<string, unknown>>): string {
	return afterHash?.startsWith(wholeRowHashPrefix) ? wholeRowHash(row) : legacyRowHash(table, row);
}

/**
 * The `after_hash` (whole-row form) of each row a writer inserted or updated, in order: the row is predicted from
 * the table's catalog (source/db/table-shape.ts), not read back. Inserts: `{id, written}` (every column the INSERT
 * names); updates: `{id, written, before}` with `before` every column as read before the UPDATE.
 */
export async function afterHashes(tx: Sql, table: string, writes: readonly RowWrite[]): Promise<string[]> {
	return (await rowsAfterWrite(tx, table, writes)).map(row => wholeRowHash(row));
}

/** `afterHashes` of one row (a writer of a few rows). */
export async function afterHash(tx: Sql, table: string, write: RowWrite): Promise<string> {
	return (await afterHashes(tx, table, [write]))[0]!;
}
