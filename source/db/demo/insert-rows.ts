import {Sql} from '../sql.js';

export type Value = string | number | null;

/** Multi-row INSERT of hand-made rows, a few hundred per statement (well under both dialects' placeholder limits). */
export async function insertRows(sql: Sql, table: string, columns: readonly string[], rows: ReadonlyArray<readonly Value[]>, chunk = 200): Promise<void> {
	for (let start = 0; start < rows.length; start += chunk) {
		const slice = rows.slice(start, start + chunk);
		await sql.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Sql.tuples(slice.length, columns.length)}`, slice.flat());
	}
}

/** Unix seconds → 'YYYY-MM-DD HH:MM:SS' UTC. */
export function formatTimestamp(unix: number): string {
	return new Date(unix * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
