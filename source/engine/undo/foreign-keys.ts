import {Sql} from '../../db/sql.js';

// DESIGN.md §8: before rollback deletes a row the run inserted, it looks for rows that reference it through a foreign
// key — found from the database's own catalog, whatever the platform added (community_points_ledger.member_id …
// ON DELETE CASCADE) — because deleting it would cascade into platform data (or null it, or fail). A referenced row
// is a conflict that even --overwrite-conflicts never deletes. One COUNT … GROUP BY per referencing foreign key per
// batch, never a query per row; a second query for a few sample ids only when something is referenced.

/** A foreign key of `table` (`columns`) onto `referencedTable` (`referencedColumns`). */
export type ForeignKey = {
	readonly name: string;
	readonly table: string;
	readonly columns: readonly string[];
	readonly referencedTable: string;
	readonly referencedColumns: readonly string[];
	readonly onDelete: string;
	/** Whether the referencing table has an `id` column (sample ids are listed then). */
	readonly hasId: boolean;
};

/** Rows of one table that reference a row through one foreign key. */
export type Reference = {
	readonly table: string;
	readonly column: string;
	readonly count: number;
	/** A few of the referencing rows' ids (lowest first). */
	readonly ids: readonly number[];
	readonly on_delete: string;
};

const sampleIds = 3;

/** The catalog's foreign keys, read once per rollback and kept here. */
export class ForeignKeyCatalog {
	private all: Promise<ForeignKey[]> | undefined;

	/** The foreign keys that point at `table`. */
	async referencing(sql: Sql, table: string): Promise<ForeignKey[]> {
		this.all ??= readForeignKeys(sql).catch((error: unknown) => {
			this.all = undefined;
			throw error;
		});
		return (await this.all).filter(key => key.referencedTable === table);
	}

	/**
	 * The rows that reference each of `rows` (every column of each, as read), keyed by the row's id; rows nothing
	 * references are absent.
	 */
	async findReferences(sql: Sql, table: string, rows: ReadonlyArray<Readonly<Record<string, unknown>>>): Promise<Map<number, Reference[]>> {
		const found = new Map<number, Reference[]>();
		if (rows.length === 0) {
			return found;
		}

		for (const key of await this.referencing(sql, table)) {
			const byValue = new Map<string, number[]>();
			const tuples: unknown[][] = [];
			for (const row of rows) {
				const tuple = key.referencedColumns.map(column => row[column] ?? null);
				if (tuple.includes(null)) {
					continue;
				}

				const id = Number(row.id);
				const signature = tupleKey(tuple);
				const ids = byValue.get(signature);
				if (ids) {
					ids.push(id);
				} else {
					byValue.set(signature, [id]);
					tuples.push(tuple);
				}
			}

			if (tuples.length === 0) {
				continue;
			}

			const counts = await countReferences(sql, key, tuples);
			const referenced = tuples.filter(tuple => (counts.get(tupleKey(tuple)) ?? 0) > 0);
			const samples = referenced.length > 0 && key.hasId ? await sampleReferences(sql, key, referenced) : new Map<string, number[]>();
			for (const tuple of referenced) {
				const signature = tupleKey(tuple);
				const reference: Reference = {table: key.table, column: key.columns.join(', '), count: counts.get(signature)!, ids: samples.get(signature) ?? [], on_delete: key.onDelete};
				for (const id of byValue.get(signature)!) {
					found.set(id, [...(found.get(id) ?? []), reference]);
				}
			}
		}

		return found;
	}
}

function tupleKey(values: readonly unknown[]): string {
	return JSON.stringify(values.map(value => String(value)));
}

const quote = (name: string) => `\`${name.replaceAll('`', '``')}\``;

/** `col IN (?, …)`, or `(a = ? AND b = ?) OR …` for a composite key. */
function matching(key: ForeignKey, tuples: readonly unknown[][]): {where: string; parameters: unknown[]} {
	if (key.columns.length === 1) {
		return {where: `${quote(key.columns[0]!)} IN (${Sql.placeholders(tuples.length)})`, parameters: tuples.map(tuple => tuple[0])};
	}

	const one = `(${key.columns.map(column => `${quote(column)} = ?`).join(' AND ')})`;
	return {where: `(${tuples.map(() => one).join(' OR ')})`, parameters: tuples.flat()};
}

async function countReferences(sql: Sql, key: ForeignKey, tuples: readonly unknown[][]): Promise<Map<string, number>> {
	const {where, parameters} = matching(key, tuples);
	const columns = key.columns.map((column, index) => `${quote(column)} AS v${index}`).join(', ');
	const rows = await sql.all<Record<string, unknown>>(`SELECT ${columns}, COUNT(*) AS n FROM ${quote(key.table)} WHERE ${where} GROUP BY ${key.columns.map(column => quote(column)).join(', ')}`, parameters);
	return new Map(rows.map(row => [tupleKey(key.columns.map((_, index) => row[`v${index}`])), Number(row.n)]));
}

async function sampleReferences(sql: Sql, key: ForeignKey, tuples: readonly unknown[][]): Promise<Map<string, number[]>> {
	const {where, parameters} = matching(key, tuples);
	const columns = key.columns.map((column, index) => `${quote(column)} AS v${index}`).join(', ');
	const partition = key.columns.map(column => quote(column)).join(', ');
	const rows = await sql.all<Record<string, unknown>>(
		`SELECT * FROM (SELECT ${columns}, id, ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY id) AS rn FROM ${quote(key.table)} WHERE ${where}) w WHERE rn <= ? ORDER BY id`,
		[...parameters, sampleIds],
	);
	const samples = new Map<string, number[]>();
	for (const row of rows) {
		const signature = tupleKey(key.columns.map((_, index) => row[`v${index}`]));
		samples.set(signature, [...(samples.get(signature) ?? []), Number(row.id)]);
	}

	return samples;
}

type CatalogRow = {name: string; table_name: string; column_name: string; referenced_table: string; referenced_column: string | null; on_delete: string; has_id: unknown; position: unknown};

/** Every foreign key of the database, from its own catalog. */
export async function readForeignKeys(sql: Sql): Promise<ForeignKey[]> {
	const rows =
		sql.dialect === 'sqlite'
			? await sql.all<CatalogRow>(
					`SELECT m.name || '#' || f.id AS name, m.name AS table_name, f."from" AS column_name, f."table" AS referenced_table, f."to" AS referenced_column, f.on_delete AS on_delete,
					   EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'id') AS has_id, f.seq AS position
					 FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
					 WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq`,
				)
			: await sql.all<CatalogRow>(
					`SELECT k.CONSTRAINT_NAME AS name, k.TABLE_NAME AS table_name, k.COLUMN_NAME AS column_name, k.REFERENCED_TABLE_NAME AS referenced_table, k.REFERENCED_COLUMN_NAME AS referenced_column,
					   r.DELETE_RULE AS on_delete, EXISTS (SELECT 1 FROM information_schema.COLUMNS c WHERE c.TABLE_SCHEMA = k.TABLE_SCHEMA AND c.TABLE_NAME = k.TABLE_NAME AND c.COLUMN_NAME = 'id') AS has_id,
					   k.ORDINAL_POSITION AS position
					 FROM information_schema.KEY_COLUMN_USAGE k
					 JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
					 WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL
					 ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
				);
	const keys = new Map<string, {key: Omit<ForeignKey, 'columns' | 'referencedColumns'>; columns: string[]; referenced: Array<string | null>}>();
	for (const row of rows) {
		const id = `${String(row.table_name)}\u0000${String(row.name)}`;
		let entry = keys.get(id);
		if (!entry) {
			entry = {
				key: {name: String(row.name), table: String(row.table_name), referencedTable: String(row.referenced_table), onDelete: String(row.on_delete ?? '').toUpperCase(), hasId: Number(row.has_id) === 1},
				columns: [],
				referenced: [],
			};
			keys.set(id, entry);
		}

		entry.columns.push(String(row.column_name));
		entry.referenced.push(row.referenced_column === null || row.referenced_column === undefined ? null : String(row.referenced_column));
	}

	const keysList: ForeignKey[] = [];
	for (const {key, columns, referenced} of keys.values()) {
		// SQLite leaves `to` empty when the key names only the parent table: it then references the parent's primary key.
		const referencedColumns = referenced.every(column => column !== null) ? (referenced as string[]) : await primaryKey(sql, key.referencedTable);
		keysList.push({...key, columns, referencedColumns});
	}

	return keysList;
}

async function primaryKey(sql: Sql, table: string): Promise<string[]> {
	const rows = await sql.all<{name: string}>('SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk', [table]);
	return rows.length > 0 ? rows.map(row => String(row.name)) : ['rowid'];
}
