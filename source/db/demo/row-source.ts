import type {Expressions} from './expressions.js';
import {rowNumbers} from './numbers.js';

/** A hash column: a salt over the row number `n`, or over another row-number expression (e.g. a duplicate's). */
export type HashSpec = number | {readonly salt: number; readonly of: string};

/**
 * The row source of a bulk `INSERT … SELECT`: `(…) s` with `count` rows of columns `n` (0..count-1), one
 * pseudo-random hash per `hashes` entry, and the `derived` columns (expressions over the hashes and `n`). Nested
 * levels, each kept from being flattened on SQLite, so every hash is computed once per row rather than once per
 * reference.
 */
export function rowSource(x: Expressions, count: number, hashes: Record<string, HashSpec>, derived: Record<string, string> = {}): string {
	const names = Object.keys(hashes);
	const scattered = names.map(name => {
		const spec = hashes[name]!;
		return `${typeof spec === 'number' ? x.scatter('n', spec) : x.scatter(spec.of, spec.salt)} AS ${name}`;
	});
	const level0 = `${rowNumbers(x.dialect, count)}${x.keepSubquery}`;
	const level1 = `SELECT n, ${scattered.join(', ')} FROM (${level0}) l0${x.keepSubquery}`;
	const level2 = `SELECT n, ${names.map(name => `${x.square(`l1.${name}`)} AS ${name}`).join(', ')} FROM (${level1}) l1${x.keepSubquery}`;
	const extra = Object.entries(derived).map(([name, expression]) => `, ${expression} AS ${name}`);
	return `(SELECT l2.*${extra.join('')} FROM (${level2}) l2${x.keepSubquery}) s`;
}
