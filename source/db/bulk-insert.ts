import type {MikroORM} from '@mikro-orm/core';
import {Sql} from './sql.js';

// SQLite binds at most 32,766 values per statement and MariaDB packets are finite: insert in slices.
const maxValuesPerStatement = 8000;

type Slice = {readonly rows: ReadonlyArray<readonly unknown[]>; readonly affectedRows: number; readonly insertId: number};

async function insertSlices(tx: Sql, table: string, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>, verb: string, each: (slice: Slice) => void): Promise<void> {
	const perStatement = Math.max(1, Math.floor(maxValuesPerStatement / columns.length));
	const columnList = columns.map(column => (column === 'before' || column === 'cursor' ? `\`${column}\`` : column)).join(', ');
	for (let start = 0; start < rows.length; start += perStatement) {
		const slice = rows.slice(start, start + perStatement);
		const result = await tx.run(`${verb} INTO ${table} (${columnList}) VALUES ${Sql.tuples(slice.length, columns.length)}`, slice.flat());
		each({rows: slice, ...result});
	}
}

/** Multi-row INSERT of `rows` (arrays in `columns` order), sliced; one round trip per slice, never per row. */
export async function insertRows(tx: Sql, table: string, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>, verb = 'INSERT'): Promise<number> {
	let inserted = 0;
	await insertSlices(tx, table, columns, rows, verb, slice => {
		inserted += slice.affectedRows;
	});
	return inserted;
}

/**
 * The multi-row INSERT of `insertRows`, returning the new auto-increment ids in row order from each statement's
 * insert id, so a batch need not read its own rows back to learn them. null (rows inserted, ids unknown) when the
 * server does not number a statement's rows consecutively; the caller then looks them up by key.
 */
export async function insertRowsWithIds(tx: Sql, table: string, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): Promise<number[] | null> {
	const step = await consecutiveIdStep(tx);
	const ids: number[] = [];
	await insertSlices(tx, table, columns, rows, 'INSERT', slice => {
		if (slice.affectedRows !== slice.rows.length) {
			throw new Error(`INSERT INTO ${table} wrote ${slice.affectedRows} of ${slice.rows.length} rows.`);
		}

		if (step === null) {
			return;
		}

		// SQLite reports the last row's id, MariaDB/MySQL the first one's.
		const first = tx.dialect === 'sqlite' ? slice.insertId - (slice.rows.length - 1) : slice.insertId;
		for (let index = 0; index < slice.rows.length; index++) {
			ids.push(first + index * step);
		}
	});
	return step === null ? null : ids;
}

const steps = new WeakMap<MikroORM, Promise<number | null>>();

/**
 * The distance between the ids of one multi-row INSERT's rows, or null when they may not be consecutive. SQLite
 * writes one statement at a time: always 1. InnoDB promises consecutive values per "simple insert" in lock modes 0
 * and 1 (MariaDB's default), spaced by auto_increment_increment; mode 2 (interleaved, MySQL 8's default) does not.
 */
async function consecutiveIdStep(sql: Sql): Promise<number | null> {
	let step = steps.get(sql.orm);
	if (!step) {
		step = sql.dialect === 'sqlite' ? Promise.resolve(1) : sql.get<{mode: unknown; increment: unknown}>('SELECT @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS increment').then(row => (Number(row?.mode) <= 1 ? Number(row?.increment ?? 1) : null));
		steps.set(sql.orm, step);
	}

	return step;
}

/** Tests: behave as a server in lock mode 2 would (ids unknown), to exercise the callers' lookup path on any database. */
export function assumeNonConsecutiveIds(orm: MikroORM): void {
	steps.set(orm, Promise.resolve(null));
}
