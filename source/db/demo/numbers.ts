import type {Dialect, Sql} from '../sql.js';

// The row source of every bulk `INSERT … SELECT`: a numbers table 0..999 built set-based by cross-joining a digits
// table, and row numbers 0..count-1 as `block × 1000 + offset` over two copies of it, in ascending order (so the
// explicit ids arrive in key order). Plain tables (MariaDB cannot reopen a TEMPORARY table twice in one query, and a
// connection pool does not promise the same session), with the tool's `runbook_` prefix, dropped when done.

const numbersTable = 'runbook_demo_numbers';
const digitsTable = 'runbook_demo_digits';
const block = 1000;

export async function createNumbers(sql: Sql): Promise<void> {
	await dropNumbers(sql);
	const key = sql.dialect === 'sqlite' ? 'INTEGER NOT NULL PRIMARY KEY' : 'BIGINT NOT NULL PRIMARY KEY';
	await sql.run(`CREATE TABLE ${digitsTable} (d ${key})`);
	await sql.run(`INSERT INTO ${digitsTable} (d) VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)`);
	await sql.run(`CREATE TABLE ${numbersTable} (n ${key})`);
	await sql.run(`INSERT INTO ${numbersTable} (n) SELECT a.d * 100 + b.d * 10 + c.d FROM ${digitsTable} a CROSS JOIN ${digitsTable} b CROSS JOIN ${digitsTable} c`);
}

export async function dropNumbers(sql: Sql): Promise<void> {
	await sql.run(`DROP TABLE IF EXISTS ${numbersTable}`);
	await sql.run(`DROP TABLE IF EXISTS ${digitsTable}`);
}

/**
 * `SELECT n` for n in [from, to), ascending. The join order is forced (SQLite keeps the order of a CROSS JOIN,
 * MariaDB that of a STRAIGHT_JOIN) so that the block is the outer loop.
 */
export function rowNumbers(dialect: Dialect, from: number, to: number): string {
	const join = dialect === 'sqlite' ? 'CROSS JOIN' : 'STRAIGHT_JOIN';
	const n = `hi.n * ${block} + lo.n`;
	return `SELECT ${n} AS n FROM ${numbersTable} hi ${join} ${numbersTable} lo WHERE hi.n >= ${Math.floor(from / block)} AND hi.n < ${Math.ceil(to / block)} AND ${n} >= ${from} AND ${n} < ${to}`;
}

/** [from, to) ranges of at most `size` rows covering 0..count-1: bulk statements stay bounded (see bulk-load.ts). */
export function chunks(count: number, size = 100_000): Array<readonly [number, number]> {
	const ranges: Array<readonly [number, number]> = [];
	for (let from = 0; from < count; from += size) {
		ranges.push([from, Math.min(count, from + size)]);
	}

	return ranges;
}
