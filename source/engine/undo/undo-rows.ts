import {RollbackFailed} from '../../core/errors.js';
import type {UndoAction, UndoRecord} from '../../db/bookkeeping/undo-journal.js';
import {Sql} from '../../db/sql.js';
import {hashLike, trackedColumns} from '../row-hash.js';
import {ForeignKeyCatalog, type Reference} from './foreign-keys.js';

// DESIGN.md §8 for table rows: a batch of journal records is first judged read-only (one SELECT per table, each row
// compared with the hash the run left), then applied set-based (one DELETE … IN and one UPDATE … CASE per table).
// A row that no longer looks as the run left it (its hash over every column differs) is a conflict: left alone unless
// --overwrite-conflicts. A row the run inserted that other rows reference through a foreign key is a conflict that is
// never deleted, not even with --overwrite-conflicts (a cascade would take platform data with it).

/** A row (or file) that no longer looks as the run left it. */
export type RollbackConflict = {
	readonly target_run: string;
	readonly undo_id: number;
	readonly table: string;
	readonly row_id: number | null;
	readonly action: UndoAction;
	/** As the run left it: only its hash is known. */
	readonly as_left: {readonly after_hash: string | null};
	/** As it is now: every column (rows), or {exists, sha256, content} (files); null when it is gone. */
	readonly now: Record<string, unknown> | null;
	/** What rollback would put back: the `before` values, or null when it would delete the row / file. */
	readonly would_restore: Record<string, unknown> | null;
	/** The rows that reference an inserted row through a foreign key, when that is (part of) the reason. */
	readonly referenced_by?: readonly Reference[];
	/**
	 * `left` (the default), `overwritten` (--overwrite-conflicts), or `kept-referenced`: a referenced row that
	 * --overwrite-conflicts does not delete.
	 */
	readonly resolution: ConflictResolution;
};

export type ConflictResolution = 'left' | 'overwritten' | 'kept-referenced';

export type RowVerdict = {
	readonly deletes: Map<string, number[]>;
	readonly restores: Map<string, Array<{id: number; values: Readonly<Record<string, unknown>>}>>;
	/** Journal records settled by this batch (undone, already absent, or already as before). */
	readonly done: number[];
	readonly conflicts: RollbackConflict[];
	alreadyAbsent: number;
};

const identifier = /^[A-Za-z_]\w*$/;

/**
 * Reads the current rows of a batch's table records and decides, per record, what rollback does. Writes nothing.
 * `foreignKeys` is read from the catalog once and kept: pass the same one for every batch of a rollback.
 */
export async function judgeRows(tx: Sql, records: readonly UndoRecord[], overwriteConflicts: boolean, columnCache: Map<string, Set<string>>, foreignKeys = new ForeignKeyCatalog()): Promise<RowVerdict> {
	const verdict: RowVerdict = {deletes: new Map(), restores: new Map(), done: [], conflicts: [], alreadyAbsent: 0};
	for (const [table, group] of groupByTable(records)) {
		const columns = await tableColumns(tx, table, columnCache);
		const current = await currentRows(tx, table, group);
		// Rows rollback would delete: every inserted row still there (a changed one too, under --overwrite-conflicts).
		const deletable = group.filter(record => record.action === 'insert').map(record => current.get(record.rowId ?? -1)).filter(row => row !== undefined);
		const references = await foreignKeys.findReferences(tx, table, deletable);
		for (const record of group) {
			judgeOne(verdict, record, current.get(record.rowId ?? -1), columns, overwriteConflicts, references.get(record.rowId ?? -1));
		}
	}

	return verdict;
}

function judgeOne(verdict: RowVerdict, record: UndoRecord, row: Record<string, unknown> | undefined, columns: ReadonlySet<string>, overwrite: boolean, referencedBy?: readonly Reference[]): void {
	const {table} = record;
	const conflict = (now: Record<string, unknown> | null, wouldRestore: Record<string, unknown> | null, references?: readonly Reference[]) => {
		verdict.conflicts.push({
			target_run: record.runId,
			undo_id: record.id,
			table,
			row_id: record.rowId,
			action: record.action,
			as_left: {after_hash: record.afterHash},
			now,
			would_restore: wouldRestore,
			...(references ? {referenced_by: references} : {}),
			resolution: overwrite ? (references ? 'kept-referenced' : 'overwritten') : 'left',
		});
	};

	if (record.action === 'insert') {
		if (!row) {
			verdict.alreadyAbsent++;
			verdict.done.push(record.id);
			return;
		}

		if (referencedBy && referencedBy.length > 0) {
			// Never deleted while referenced: the journal record stays pending and the rollback ends with exit 5.
			conflict(visible(row), null, referencedBy);
			return;
		}

		const matches = hashLike(record.afterHash, table, row) === record.afterHash;
		if (!matches) {
			conflict(visible(row), null);
		}

		if (matches || overwrite) {
			push(verdict.deletes, table, record.rowId!);
			verdict.done.push(record.id);
		}

		return;
	}

	const before = record.before!;
	for (const column of Object.keys(before)) {
		if (!identifier.test(column) || !columns.has(column) || column === 'id') {
			throw new RollbackFailed(`runbook_undo row ${record.id} restores a column ${table}.${column} that does not exist.`, {hint: 'The undo log does not match this database; check --database-url.'});
		}
	}

	if (!row) {
		conflict(null, before);
		if (overwrite) {
			// Nothing is left to restore: the row was deleted since the run.
			verdict.alreadyAbsent++;
			verdict.done.push(record.id);
		}

		return;
	}

	const hash = hashLike(record.afterHash, table, row);
	if (hash === record.afterHash) {
		push(verdict.restores, table, {id: record.rowId!, values: before});
		verdict.done.push(record.id);
	} else if (hash === hashLike(record.afterHash, table, {...row, ...before})) {
		// Already as it was before the run (restored by hand, or by an earlier attempt): nothing to write.
		verdict.done.push(record.id);
	} else {
		conflict(visible(row), before);
		if (overwrite) {
			push(verdict.restores, table, {id: record.rowId!, values: before});
			verdict.done.push(record.id);
		}
	}
}

/** Applies a verdict inside the batch's transaction; returns the rows deleted and restored. */
export async function applyRows(tx: Sql, verdict: RowVerdict, recordSql: (statement: string, parameters: readonly unknown[]) => void): Promise<{deleted: number; restored: number}> {
	let deleted = 0;
	let restored = 0;
	for (const [table, ids] of verdict.deletes) {
		const statement = `DELETE FROM ${table} WHERE id IN (${Sql.placeholders(ids.length)})`;
		deleted += (await tx.run(statement, ids)).affectedRows;
		recordSql(statement, ids);
	}

	for (const [table, restores] of verdict.restores) {
		const {statement, parameters} = restoreStatement(table, restores);
		await tx.run(statement, parameters);
		recordSql(statement, parameters);
		restored += restores.length;
	}

	return {deleted, restored};
}

/** One UPDATE per table: `col = CASE id WHEN ? THEN ? … ELSE col END` for every restored column. */
export function restoreStatement(table: string, restores: ReadonlyArray<{id: number; values: Readonly<Record<string, unknown>>}>): {statement: string; parameters: unknown[]} {
	const columns = [...new Set(restores.flatMap(restore => Object.keys(restore.values)))].sort();
	const parameters: unknown[] = [];
	const assignments = columns.map(column => {
		const cases = restores.filter(restore => Object.hasOwn(restore.values, column));
		for (const restore of cases) {
			parameters.push(restore.id, restore.values[column] ?? null);
		}

		return `${column} = CASE id ${cases.map(() => 'WHEN ? THEN ?').join(' ')} ELSE ${column} END`;
	});
	const ids = restores.map(restore => restore.id);
	parameters.push(...ids);
	return {statement: `UPDATE ${table} SET ${assignments.join(', ')} WHERE id IN (${Sql.placeholders(ids.length)})`, parameters};
}

function groupByTable(records: readonly UndoRecord[]): Map<string, UndoRecord[]> {
	const groups = new Map<string, UndoRecord[]>();
	for (const record of records) {
		if (record.action === 'file') {
			continue;
		}

		if (!identifier.test(record.table) || !trackedColumns[record.table]) {
			throw new RollbackFailed(`runbook_undo names a table the tool never writes: "${record.table}".`, {hint: 'The undo log is damaged; restore from the backup taken before the run.'});
		}

		push(groups, record.table, record);
	}

	return groups;
}

async function currentRows(tx: Sql, table: string, records: readonly UndoRecord[]): Promise<Map<number, Record<string, unknown>>> {
	const ids = [...new Set(records.map(record => record.rowId).filter((id): id is number => id !== null))];
	const rows = ids.length > 0 ? await tx.all<Record<string, unknown>>(`SELECT * FROM ${table} WHERE id IN (${Sql.placeholders(ids.length)})`, ids) : [];
	return new Map(rows.map(row => [Number(row.id), row]));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
	const list = map.get(key);
	if (list) {
		list.push(value);
	} else {
		map.set(key, [value]);
	}
}

/** A row as shown in a conflict: every column, as the database returns it (any of them may be what changed). */
function visible(row: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(row).map(([column, value]) => [column, typeof value === 'bigint' ? Number(value) : (value ?? null)]));
}

async function tableColumns(tx: Sql, table: string, cache: Map<string, Set<string>>): Promise<Set<string>> {
	let columns = cache.get(table);
	if (!columns) {
		const rows =
			tx.dialect === 'sqlite'
				? await tx.all<{name: string}>('SELECT name FROM pragma_table_info(?)', [table])
				: await tx.all<{name: string}>('SELECT COLUMN_NAME AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?', [table]);
		columns = new Set(rows.map(row => String(row.name)));
		if (columns.size === 0) {
			throw new RollbackFailed(`Table ${table} named in runbook_undo does not exist in this database.`, {hint: 'Check --database-url: rollback must run against the database the run changed.'});
		}

		cache.set(table, columns);
	}

	return columns;
}
