import {type Dialect, dialectSql} from '../sql.js';
import type {DemoClock} from './sizes.js';

// Portable SQL expressions for the bulk rows. Everything is integer arithmetic that SQLite and MariaDB evaluate
// identically: products stay below 2^62 (no overflow, no floating point), operands are non-negative (so `%` agrees),
// and integer division goes through `idiv` (SQLite `/` truncates on integers, MariaDB `/` returns a decimal).

const prime = 2_147_483_647;

export type Expressions = ReturnType<typeof demoExpressions>;

export function demoExpressions(dialect: Dialect, seed: number, clock: DemoClock) {
	const d = dialectSql(dialect);
	const saltConstant = (salt: number) => (((seed % prime) * 40_503 + salt * 7919 + 1) % prime);

	/**
	 * A pseudo-random integer in [0, 2^31) from a row number and a salt, in two steps so that each is computed once
	 * per row (see row-source.ts): x = (n·a + k) mod p, then h = (x² + 31x) mod p.
	 */
	const scatter = (n: string, salt: number): string => `(((${n}) * 2654435 + ${saltConstant(salt)}) % ${prime})`;
	const square = (x: string): string => `((${x} * ${x} + ${x} * 31) % ${prime})`;

	/** Barrier that keeps a FROM subquery from being flattened into its caller (so its columns are computed once). */
	const keepSubquery = dialect === 'sqlite' ? ' LIMIT -1 OFFSET 0' : '';
	/** Same on SQLite; on MariaDB a LIMIT makes the derived table materialised instead of merged. */
	const materialize = dialect === 'sqlite' ? keepSubquery : ' LIMIT 18446744073709551615';

	const idiv = (a: string, b: string | number): string => (dialect === 'sqlite' ? `((${a}) / (${b}))` : `((${a}) DIV (${b}))`);

	/** A SQL string literal. MariaDB reads backslash escapes in literals (`\/` would lose its backslash): doubled there. */
	const text = (value: string): string => `'${(dialect === 'mysql' ? value.replaceAll('\\', '\\\\') : value).replaceAll("'", "''")}'`;

	/** One of `values`, chosen by `h % values.length`. */
	const pick = (h: string, values: readonly string[]): string =>
		`(CASE (${h}) % ${values.length} ${values.map((value, index) => `WHEN ${index} THEN ${text(value)}`).join(' ')} END)`;

	/** Weighted choice: `[[percent, value], …]` with cumulative percentages; the last entry is the fallback. */
	const weighted = (h: string, choices: ReadonlyArray<readonly [number, string | null]>): string => {
		const literal = (value: string | null) => (value === null ? 'NULL' : value);
		const cases = choices.slice(0, -1).map(([below, value]) => `WHEN (${h}) % 100 < ${below} THEN ${literal(value)}`);
		return `(CASE ${cases.join(' ')} ELSE ${literal(choices.at(-1)![1])} END)`;
	};

	const lpad = (value: string, width: number): string =>
		dialect === 'sqlite' ? `substr('${'0'.repeat(width)}' || (${value}), -${width}, ${width})` : `LPAD(${value}, ${width}, '0')`;

	/** Unix seconds: `recentPercent` % of rows in the recent window, the rest over the two-year history. */
	const activityTime = (choose: string, offset: string, recentPercent: number): string =>
		`(CASE WHEN (${choose}) % 100 < ${recentPercent} THEN ${clock.recentStart} + (${offset}) % ${clock.recentSpan} ELSE ${clock.oldStart} + (${offset}) % ${clock.oldSpan} END)`;

	const historyTime = (offset: string): string => `(${clock.oldStart} + (${offset}) % ${clock.oldSpan})`;

	/** A 'YYYY-MM-DD HH:MM:SS' column value back to unix seconds. */
	const unixOf = (column: string): string => (dialect === 'sqlite' ? `CAST(strftime('%s', ${column}) AS INTEGER)` : `UNIX_TIMESTAMP(${column})`);

	/** String concatenation; each part parenthesised (SQLite's `||` binds tighter than `+`). */
	const concat = (...parts: string[]): string => d.concat(...parts.map(part => `(${part})`));

	return {dialect, scatter, square, keepSubquery, materialize, idiv, text, pick, weighted, lpad, activityTime, historyTime, unixOf, concat, timestamp: d.fromUnix};
}
