import type {Expressions} from './expressions.js';
import type {Sql} from '../sql.js';
import {chunks, rowNumbers} from './numbers.js';

/** A hash column: a salt over the row number `n`, or over another row-number expression (e.g. a duplicate's). */
export type HashSpec = number | {readonly salt: number; readonly of: string};

/**
 * The row source of a bulk `INSERT … SELECT`: `(…) s` with rows n in [from, to), one pseudo-random hash per
 * `hashes` entry, and the `derived` columns (expressions over the hashes and `n`). Both engines would otherwise
 * inline each column's expression at every reference: SQLite runs each level as a co-routine (not flattened),
 * MariaDB materialises the outer level (a heap table, see bulk-load.ts), so every hash is computed once per row.
 */
export function rowSource(x: Expressions, [from, to]: readonly [number, number], hashes: Record<string, HashSpec>, derived: Record<string, string> = {}): string {
	const names = Object.keys(hashes);
	const scattered = names.map(name => {
		const spec = hashes[name]!;
		return `${typeof spec === 'number' ? x.scatter('n', spec) : x.scatter(spec.of, spec.salt)} AS ${name}`;
	});
	const level0 = `${rowNumbers(x.dialect, from, to)}${x.keepSubquery}`;
	const level1 = `SELECT n, ${scattered.join(', ')} FROM (${level0}) l0${x.keepSubquery}`;
	const level2 = `SELECT n, ${names.map(name => `${x.square(`l1.${name}`)} AS ${name}`).join(', ')} FROM (${level1}) l1${x.keepSubquery}`;
	const extra = Object.entries(derived).map(([name, expression]) => `, ${expression} AS ${name}`);
	return `(SELECT l2.*${extra.join('')} FROM (${level2}) l2${x.materialize}) s`;
}

export type Range = readonly [number, number];

/** Runs `statement` over [0, count) in bounded chunks (each an `INSERT … SELECT` over one range). */
export async function insertInChunks(sql: Sql, count: number, statement: (range: Range) => string): Promise<void> {
	for (const range of chunks(count)) {
		await sql.run(statement(range));
	}
}
