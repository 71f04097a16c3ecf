import {Sql} from '../db/sql.js';

// SQLite binds at most 32,766 values per statement and MariaDB packets are finite: insert in slices.
const maxValuesPerStatement = 8000;

/** Multi-row INSERT of `rows` (arrays in `columns` order), sliced; one round trip per slice, never per row. */
export async function insertRows(tx: Sql, table: string, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>, verb = 'INSERT'): Promise<number> {
	if (rows.length === 0) {
		return 0;
	}

	const perStatement = Math.max(1, Math.floor(maxValuesPerStatement / columns.length));
	const columnList = columns.map(column => (column === 'before' || column === 'cursor' ? `\`${column}\`` : column)).join(', ');
	let inserted = 0;
	for (let start = 0; start < rows.length; start += perStatement) {
		const slice = rows.slice(start, start + perStatement);
		const result = await tx.run(`${verb} INTO ${table} (${columnList}) VALUES ${Sql.tuples(slice.length, columns.length)}`, slice.flat());
		inserted += result.affectedRows;
	}

	return inserted;
}
