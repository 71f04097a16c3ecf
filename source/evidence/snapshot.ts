import {createHash} from 'node:crypto';
import type {Dialect, Sql} from '../db/sql.js';

// Row counts and content checksums of tables (DESIGN.md §9), computed in the database batch by batch in key order.
// Each row becomes a canonical text IN SQL — every column, length-prefixed (`<chars>:<value>`), NULL as `NULL`,
// joined by `|` — so SQLite and MariaDB give the same text for the same data. The database concatenates a batch's
// rows (`;`-separated); TypeScript feeds the batches into one sha256, so the checksum does not depend on batch size.

export type TableSnapshot = {table: string; rows: number; checksum: string};

// Small enough that the batch text (built by the database, copied into a JS string, encoded for the hash) stays a
// few MiB of transient memory: 5,000 rows / 4 MiB added ~30 MiB to the peak RSS of a 1M backfill's final snapshot.
const maxRowsPerBatch = 2000;
const targetBatchChars = 1024 * 1024;
const rowSeparator = ';';

type TableShape = {readonly columns: string[]; readonly key: string};

export async function takeSnapshot(sql: Sql, tables: readonly string[]): Promise<TableSnapshot[]> {
	return sql.transaction(async tx => {
		if (tx.dialect === 'mysql') {
			await tx.run('SET SESSION group_concat_max_len = 1073741824');
		}

		const snapshots: TableSnapshot[] = [];
		for (const table of tables) {
			const shape = await tableShape(tx, table);
			snapshots.push(shape ? await checksumTable(tx, table, shape) : {table, rows: 0, checksum: 'missing'});
		}

		return snapshots;
	});
}

async function checksumTable(sql: Sql, table: string, shape: TableShape): Promise<TableSnapshot> {
	const quote = quoter(sql.dialect);
	const key = quote(shape.key);
	const rowText = rowExpression(sql.dialect, shape.columns.map(column => quote(column)));
	const aggregate =
		sql.dialect === 'sqlite'
			? `group_concat(t, '${rowSeparator}' ORDER BY k)`
			: `GROUP_CONCAT(t ORDER BY k SEPARATOR '${rowSeparator}')`;
	const query = (after: boolean) =>
		`SELECT COUNT(*) AS n, MAX(k) AS last_key, ${aggregate} AS body FROM (SELECT ${key} AS k, ${rowText} AS t FROM ${quote(table)}${after ? ` WHERE ${key} > ?` : ''} ORDER BY ${key} LIMIT ?) batch`;
	const hash = createHash('sha256');
	let rows = 0;
	let lastKey: unknown;
	let limit = maxRowsPerBatch;
	for (;;) {
		const parameters = lastKey === undefined ? [limit] : [lastKey, limit];
		const result = await sql.get<{n: number | string; last_key: unknown; body: string | Uint8Array | null}>(query(lastKey !== undefined), parameters);
		const count = Number(result?.n ?? 0);
		if (count === 0) {
			break;
		}

		const body = typeof result!.body === 'string' ? result!.body : Buffer.from(result!.body ?? '').toString('utf8');
		hash.update(body, 'utf8');
		hash.update(rowSeparator, 'utf8');
		rows += count;
		lastKey = result!.last_key;
		if (count < limit) {
			break;
		}

		// Wide rows (long texts) get smaller batches so one batch stays well under max_allowed_packet.
		limit = Math.max(100, Math.min(maxRowsPerBatch, Math.floor(targetBatchChars / Math.max(1, body.length / count))));
	}

	return {table, rows, checksum: hash.digest('hex')};
}

function rowExpression(dialect: Dialect, columns: string[]): string {
	if (dialect === 'sqlite') {
		return columns.map(column => `COALESCE(length(${column}) || ':' || ${column}, 'NULL')`).join(` || '|' || `);
	}

	const fields = columns.map(column => `COALESCE(CONCAT(CHAR_LENGTH(${column}), ':', CONVERT(${column} USING utf8mb4)), 'NULL')`);
	return `CONCAT(${fields.join(`, '|', `)})`;
}

/** Columns in ordinal order and the key to walk (`id`, else the primary key); undefined when the table is missing. */
async function tableShape(sql: Sql, table: string): Promise<TableShape | undefined> {
	if (sql.dialect === 'sqlite') {
		const columns = await sql.all<{name: string; pk: number}>(`SELECT name, pk FROM pragma_table_info(?) ORDER BY cid`, [table]);
		const primary = columns.filter(column => Number(column.pk) > 0).sort((a, b) => Number(a.pk) - Number(b.pk))[0]?.name;
		return shapeOf(columns.map(column => column.name), primary);
	}

	const columns = await sql.all<{name: string; column_key: string}>(
		`SELECT COLUMN_NAME AS name, COLUMN_KEY AS column_key FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position`,
		[table],
	);
	return shapeOf(
		columns.map(column => column.name),
		columns.find(column => column.column_key === 'PRI')?.name,
	);
}

function shapeOf(columns: string[], primary: string | undefined): TableShape | undefined {
	if (columns.length === 0) {
		return undefined;
	}

	return {columns, key: columns.includes('id') ? 'id' : (primary ?? columns[0]!)};
}

function quoter(dialect: Dialect): (name: string) => string {
	return dialect === 'sqlite' ? name => `"${name.replaceAll('"', '""')}"` : name => `\`${name.replaceAll('`', '``')}\``;
}
