import {RollbackFailed} from '../../core/errors.js';
import {formatTimestamp} from '../../core/timestamps.js';
import {insertRows} from '../bulk-insert.js';
import {Sql, type SqlReader} from '../sql.js';

// runbook_undo (DESIGN.md §4, §8): what every change of a run undoes, written in the change's own transaction, and
// walked newest first by rollback. This module is its only writer and reader, so there is one encoding of `before`:
// - insert: NULL (rollback deletes the row);
// - update: a JSON object of the row's prior stored values, column by column;
// - file:   a JSON string literal of the file's prior content, or NULL when there was no file.

export type UndoAction = 'insert' | 'update' | 'file';

/** One change, as a job reports it. `table` is the table name, or the app-relative path for a file. */
export type UndoRow =
	| {readonly action: 'insert'; readonly table: string; readonly rowId: number; readonly afterHash: string}
	| {readonly action: 'update'; readonly table: string; readonly rowId: number; readonly before: Readonly<Record<string, unknown>>; readonly afterHash: string}
	| {readonly action: 'file'; readonly table: string; readonly before: string | null; readonly afterHash: string};

/** One change as rollback reads it back. */
export type UndoRecord = {
	readonly id: number;
	readonly runId: string;
	readonly seq: number;
	readonly table: string;
	readonly rowId: number | null;
	readonly action: UndoAction;
	/** update: the prior values; otherwise null. */
	readonly before: Readonly<Record<string, unknown>> | null;
	/** file: the prior content, null when there was none. */
	readonly fileBefore: string | null;
	readonly afterHash: string | null;
};

const columns = ['run_id', 'seq', 'table_name', 'row_id', 'action', 'before', 'after_hash'];

export async function appendUndo(tx: Sql, runId: string, seq: number, rows: readonly UndoRow[]): Promise<void> {
	// In journal order: runs of inserts into one table as (row_id, after_hash) pairs (SQLite), everything else whole.
	const compact = (row: UndoRow) => tx.dialect === 'sqlite' && row.action === 'insert';
	let start = 0;
	while (start < rows.length) {
		let end = start + 1;
		const first = rows[start]!;
		const inserts = compact(first);
		while (end < rows.length && compact(rows[end]!) === inserts && (!inserts || rows[end]!.table === first.table)) {
			end++;
		}

		const run = rows.slice(start, end);
		await (inserts ? appendInserts(tx, runId, seq, first.table, run as Array<Extract<UndoRow, {action: 'insert'}>>) : insertRows(tx, 'runbook_undo', columns, run.map(row => [runId, seq, row.table, row.action === 'file' ? null : row.rowId, row.action, encodeBefore(row), row.afterHash])));
		start = end;
	}
}

/** Per statement: SQLite binds at most 32,766 values; two per row here. */
const insertsPerStatement = 4000;

/**
 * SQLite: the undo rows of a batch's inserts into one table as one `INSERT … SELECT` over a VALUES list of
 * (row_id, after_hash), the run, seq, table and action bound once: 2 values per row instead of 7 (the run id alone is
 * 36 characters, copied into the driver per row). The rows are the same as `insertRows` writes, in the same order.
 */
async function appendInserts(tx: Sql, runId: string, seq: number, table: string, rows: ReadonlyArray<Extract<UndoRow, {action: 'insert'}>>): Promise<void> {
	for (let start = 0; start < rows.length; start += insertsPerStatement) {
		const slice = rows.slice(start, start + insertsPerStatement);
		const values: unknown[] = [runId, seq, table];
		for (const row of slice) {
			values.push(row.rowId, row.afterHash);
		}

		await tx.run(`INSERT INTO runbook_undo (${columns.map(column => (column === 'before' ? '`before`' : column)).join(', ')}) SELECT ?, ?, ?, column1, 'insert', NULL, column2 FROM (VALUES ${Sql.tuples(slice.length, 2)})`, values);
	}
}

function encodeBefore(row: UndoRow): string | null {
	if (row.action === 'update') {
		return JSON.stringify(row.before);
	}

	return row.action === 'file' && row.before !== null ? JSON.stringify(row.before) : null;
}

/** Changes of these runs not yet undone, newest first, below `beforeId` (exclusive). */
export async function fetchPending(tx: Sql, runIds: readonly string[], beforeId: number, limit: number): Promise<UndoRecord[]> {
	const rows = await tx.all<Record<string, unknown>>(
		`SELECT id, run_id, seq, table_name, row_id, action, \`before\`, after_hash FROM runbook_undo
		 WHERE run_id IN (${Sql.placeholders(runIds.length)}) AND undone_at IS NULL AND id < ? ORDER BY id DESC LIMIT ?`,
		[...runIds, beforeId, limit],
	);
	return rows.map(decode);
}

export async function markUndone(tx: Sql, ids: readonly number[], at: Date): Promise<void> {
	if (ids.length > 0) {
		await tx.run(`UPDATE runbook_undo SET undone_at = ? WHERE id IN (${Sql.placeholders(ids.length)})`, [formatTimestamp(at), ...ids]);
	}
}

export type UndoScope = {
	readonly tables: string[];
	readonly files: string[];
	/** Changes not yet undone. */
	readonly pending: number;
	readonly total: number;
	/** The newest pending change's id (0 when none): a rollback walks down from it. */
	readonly topId: number;
};

/** What is left to undo of these runs. */
export async function undoScope(sql: Sql, runIds: readonly string[]): Promise<UndoScope> {
	if (runIds.length === 0) {
		return {tables: [], files: [], pending: 0, total: 0, topId: 0};
	}

	const rows = await sql.all<Record<string, unknown>>(
		`SELECT table_name, action, SUM(CASE WHEN undone_at IS NULL THEN 1 ELSE 0 END) AS pending, COUNT(*) AS total, MAX(CASE WHEN undone_at IS NULL THEN id END) AS top
		 FROM runbook_undo WHERE run_id IN (${Sql.placeholders(runIds.length)}) GROUP BY table_name, action`,
		[...runIds],
	);
	const tables = new Set<string>();
	const files = new Set<string>();
	let pending = 0;
	let total = 0;
	let topId = 0;
	for (const row of rows) {
		(row.action === 'file' ? files : tables).add(String(row.table_name));
		pending += Number(row.pending ?? 0);
		total += Number(row.total ?? 0);
		topId = Math.max(topId, Number(row.top ?? 0));
	}

	return {tables: [...tables].sort(), files: [...files].sort(), pending, total, topId};
}

/** Pending changes per run, for `status`. */
export async function pendingByRun(sql: SqlReader, runIds: readonly string[]): Promise<Map<string, number>> {
	if (runIds.length === 0) {
		return new Map();
	}

	const rows = await sql.all<{run_id: string; n: unknown}>(
		`SELECT run_id, COUNT(*) AS n FROM runbook_undo WHERE run_id IN (${Sql.placeholders(runIds.length)}) AND undone_at IS NULL GROUP BY run_id`,
		[...runIds],
	);
	return new Map(rows.map(row => [String(row.run_id), Number(row.n)]));
}

/**
 * `SELECT <group>, COUNT(DISTINCT row_id) AS n` over the rows of `table` a run inserted or updated (one parameter:
 * the run id), for verification's spot check.
 */
export function journalRowsByGroupSql(table: string, groupColumn: string): string {
	return `SELECT t.${groupColumn} AS ${groupColumn}, COUNT(DISTINCT u.row_id) AS n FROM runbook_undo u JOIN ${table} t ON t.id = u.row_id WHERE u.run_id = ? AND u.table_name = '${table}' AND u.action IN ('insert', 'update') GROUP BY t.${groupColumn} ORDER BY t.${groupColumn}`;
}

/** The newest run (by runbook_runs order) with changes not yet undone. */
export async function newestRunWithPendingUndo(sql: Sql): Promise<string | undefined> {
	const row = await sql.get<{run_id: string}>(
		`SELECT r.run_id FROM runbook_runs r WHERE r.mode = 'execute' AND EXISTS (SELECT 1 FROM runbook_undo u WHERE u.run_id = r.run_id AND u.undone_at IS NULL) ORDER BY r.id DESC LIMIT 1`,
	);
	return row ? String(row.run_id) : undefined;
}

function decode(row: Record<string, unknown>): UndoRecord {
	const id = Number(row.id);
	const action = String(row.action);
	const table = String(row.table_name);
	const rowId = row.row_id === null || row.row_id === undefined ? null : Number(row.row_id);
	const stored = row.before === null || row.before === undefined ? null : String(row.before);
	if (action !== 'insert' && action !== 'update' && action !== 'file') {
		throw new RollbackFailed(`runbook_undo row ${id} has an unknown action "${action}".`, {hint: 'The undo log is damaged; restore from the backup taken before the run.'});
	}

	return {
		id,
		runId: String(row.run_id),
		seq: Number(row.seq),
		table,
		rowId,
		action,
		before: action === 'update' ? decodeRowBefore(id, table, rowId, stored) : null,
		fileBefore: action === 'file' ? decodeFileBefore(stored) : null,
		afterHash: row.after_hash === null || row.after_hash === undefined ? null : String(row.after_hash),
	};
}

function decodeRowBefore(id: number, table: string, rowId: number | null, stored: string | null): Record<string, unknown> {
	try {
		const parsed: unknown = stored === null ? null : JSON.parse(stored);
		if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
			return parsed as Record<string, unknown>;
		}
	} catch {}

	throw new RollbackFailed(`runbook_undo row ${id} (${table} #${rowId ?? '?'}, update) has no readable \`before\` values.`, {
		hint: 'The undo log is damaged; restore this row from the backup taken before the run.',
	});
}

/**
 * A file's prior content. Rows written before the journal had one writer stored it three ways, all still read: NULL
 * or `null` (no file), a JSON string literal (the content), or the raw text itself.
 */
export function decodeFileBefore(stored: string | null): string | null {
	if (stored === null || stored === 'null') {
		return null;
	}

	try {
		const parsed: unknown = JSON.parse(stored);
		if (typeof parsed === 'string') {
			return parsed;
		}
	} catch {}

	return stored;
}
