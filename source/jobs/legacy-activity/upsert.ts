import {Sql} from '../../db/sql.js';
import {insertRowsWithIds} from '../../db/bulk-insert.js';
import type {UndoRow} from '../../engine/batch-runner.js';
import {afterHashes, pickTracked} from '../../engine/row-hash.js';
import {type ActivityRow, sameContent} from './activity.js';
import {type FeedDuplicate, findFeedDuplicates} from './duplicates.js';

// Classification of a batch's activity rows against profile_activities by idempotency key, and the set-based writes:
// one SELECT of the existing keys, one SELECT of the new rows' subjects (the platform's own feed rows, duplicates.ts),
// one multi-row INSERT of the new ones, one multi-row upsert of the changed ones.
// The dry run calls `classifyActivities` only; the execution calls it and then `writeActivities`.

/** Receives each statement with its parameters, for the evidence. */
export type SqlRecorder = (statement: string, parameters: readonly unknown[]) => void;

export type Classification = {
	readonly created: readonly ActivityRow[];
	readonly updated: ReadonlyArray<{readonly row: ActivityRow; readonly existing: Readonly<Record<string, unknown>>}>;
	readonly unchanged: number;
	/** No row under its own key, but its subject already in the feed for the same user under another key: not written. */
	readonly duplicates: readonly FeedDuplicate[];
};

const table = 'profile_activities';
const writtenColumns = ['user_id', 'community_id', 'activity_type', 'subject_type', 'subject_id', 'idempotency_key', 'occurred_at', 'context', 'created_at', 'updated_at'] as const;
// Every column: an update's after_hash covers the whole row (DESIGN.md §8).
const existingColumns = '*';

// SQLite binds at most 32,766 values per statement and MariaDB packets are finite: slice long lists.
const keysPerLookup = 5000;
const rowsPerStatement = Math.floor(8000 / writtenColumns.length);

export async function classifyActivities(sql: Sql, rows: readonly ActivityRow[], record?: SqlRecorder): Promise<Classification> {
	const existing = await rowsByKey(sql, rows.map(row => row.idempotency_key), existingColumns, record);
	// A row under our own key keeps the key logic (unchanged / updated) even when the platform shows the subject too:
	// only the rows that would be created are looked up by subject.
	const others = await findFeedDuplicates(sql, rows.filter(row => !existing.has(row.idempotency_key)), record);
	const created: ActivityRow[] = [];
	const updated: Array<{row: ActivityRow; existing: Record<string, unknown>}> = [];
	const duplicates: FeedDuplicate[] = [];
	let unchanged = 0;
	for (const row of rows) {
		const found = existing.get(row.idempotency_key);
		const other = others.get(row);
		if (!found && other) {
			duplicates.push({row, existing: other});
		} else if (!found) {
			created.push(row);
		} else if (sameContent(found, row)) {
			unchanged++;
		} else {
			updated.push({row, existing: found});
		}
	}

	return {created, updated, unchanged, duplicates};
}

/**
 * Writes a classification inside the batch transaction; `now` (the run's start) is created_at/updated_at of every
 * row written, so the final table does not depend on timing. Returns the undo rows for the runner.
 */
export async function writeActivities(tx: Sql, classification: Classification, now: string, record?: SqlRecorder): Promise<UndoRow[]> {
	const undo: UndoRow[] = [];
	if (classification.created.length > 0) {
		const created = classification.created;
		const values = created.map(row => [row.user_id, row.community_id, row.activity_type, row.subject_type, row.subject_id, row.idempotency_key, row.occurred_at, row.context, now, now]);
		record?.(`INSERT INTO ${table} (${writtenColumns.join(', ')}) VALUES ${Sql.tuples(1, writtenColumns.length)}, … (${Math.min(created.length, rowsPerStatement)} rows)`, values[0]!);
		// The ids come from the insert id; only a server that numbers rows non-consecutively makes us read them back.
		const ids = await insertRowsWithIds(tx, table, writtenColumns, values);
		const byKey = ids ? undefined : await rowsByKey(tx, created.map(row => row.idempotency_key), 'id, idempotency_key', record);
		const rowIds = created.map((row, index) => (ids ? ids[index]! : Number(byKey!.get(row.idempotency_key)!.id)));
		const hashes = await afterHashes(tx, table, values.map((value, index) => ({id: rowIds[index]!, written: columnsOf(writtenColumns, value)})));
		for (const [index, rowId] of rowIds.entries()) {
			undo.push({table, rowId, action: 'insert', afterHash: hashes[index]!});
		}
	}

	if (classification.updated.length > 0) {
		const changed = classification.updated.map(update => update.row);
		const assignments = ['user_id', 'community_id', 'activity_type', 'subject_type', 'subject_id', 'occurred_at', 'context', 'updated_at'];
		const suffix =
			tx.dialect === 'sqlite'
				? ` ON CONFLICT (idempotency_key) DO UPDATE SET ${assignments.map(column => `${column} = excluded.${column}`).join(', ')}`
				: ` ON DUPLICATE KEY UPDATE ${assignments.map(column => `${column} = VALUES(${column})`).join(', ')}`;
		await writeRows(tx, changed, now, suffix, record);
		const hashes = await afterHashes(tx, table, classification.updated.map(({row, existing}) => ({id: Number(existing.id), before: existing, written: columnsOf(assignments, assignments.map(column => (column === 'updated_at' ? now : row[column as keyof ActivityRow])))})));
		for (const [index, {existing}] of classification.updated.entries()) {
			// updated_at too: the run sets it, so rollback must put it back for the table's checksum to match again.
			const before = {...pickTracked(table, existing), updated_at: existing.updated_at ?? null};
			undo.push({table, rowId: Number(existing.id), action: 'update', before, afterHash: hashes[index]!});
		}
	}

	return undo;
}

/** `{column: value}` of parallel lists (a loop: Object.fromEntries and spreads cost microseconds per row). */
function columnsOf(columns: readonly string[], values: readonly unknown[]): Record<string, unknown> {
	const row: Record<string, unknown> = {};
	for (const [index, column] of columns.entries()) {
		row[column] = values[index];
	}

	return row;
}

async function writeRows(tx: Sql, rows: readonly ActivityRow[], now: string, suffix: string, record?: SqlRecorder): Promise<void> {
	for (let start = 0; start < rows.length; start += rowsPerStatement) {
		const slice = rows.slice(start, start + rowsPerStatement);
		const values = slice.flatMap(row => [row.user_id, row.community_id, row.activity_type, row.subject_type, row.subject_id, row.idempotency_key, row.occurred_at, row.context, now, now]);
		const statement = `INSERT INTO ${table} (${writtenColumns.join(', ')}) VALUES ${Sql.tuples(slice.length, writtenColumns.length)}${suffix}`;
		record?.(statement, values);
		await tx.run(statement, values);
	}
}

async function rowsByKey(sql: Sql, keys: readonly string[], columns: string, record?: SqlRecorder): Promise<Map<string, Record<string, unknown>>> {
	const found = new Map<string, Record<string, unknown>>();
	for (let start = 0; start < keys.length; start += keysPerLookup) {
		const slice = keys.slice(start, start + keysPerLookup);
		const statement = `SELECT ${columns} FROM ${table} WHERE idempotency_key IN (${Sql.placeholders(slice.length)})`;
		record?.(statement, slice);
		const rows = await sql.all<Record<string, unknown>>(statement, slice);
		for (const row of rows) {
			found.set(String(row.idempotency_key), row);
		}
	}

	return found;
}
