import {platformDdl} from '../platform-schema.js';
import type {Sql} from '../sql.js';

// Tuning for the bulk load, undone afterwards. Measured on 1M enrollments: both SQLite and MariaDB load a table
// without its secondary indexes and then build them by sorting clearly faster than they maintain them row by row
// (SQLite ~2.3 s against ~4 s of CPU, MariaDB ~4 s against ~6.5 s); a larger SQLite page cache helps the sorts.

export type Restore = () => Promise<void>;

/** Drops the secondary (non-unique) indexes of `tables`; the returned function recreates them as platform-schema defines them. */
export async function deferSecondaryIndexes(sql: Sql, tables: readonly string[]): Promise<Restore> {
	const indexes = platformDdl(sql.dialect)
		.map(statement => /^CREATE INDEX (\S+) ON (\S+) (\(.+\))$/.exec(statement))
		.filter(match => match !== null && tables.includes(match[2]!))
		.map(match => ({name: match![1]!, table: match![2]!, columns: match![3]!}));
	if (sql.dialect === 'sqlite') {
		for (const {name} of indexes) {
			await sql.run(`DROP INDEX ${name}`);
		}

		return async () => {
			for (const {name, table, columns} of indexes) {
				await sql.run(`CREATE INDEX ${name} ON ${table} ${columns}`);
			}
		};
	}

	// MariaDB: one ALTER per table, so the table is read once to build all of its indexes.
	const byTable = (table: string) => indexes.filter(index => index.table === table);
	for (const table of tables) {
		await sql.run(`ALTER TABLE ${table} ${byTable(table).map(({name}) => `DROP INDEX ${name}`).join(', ')}`);
	}

	return async () => {
		for (const table of tables) {
			await sql.run(`ALTER TABLE ${table} ${byTable(table).map(({name, columns}) => `ADD INDEX ${name} ${columns}`).join(', ')}`);
		}
	};
}

/** SQLite: a 256 MB page cache for this connection while loading; the returned function restores the previous size. */
export async function enlargePageCache(sql: Sql): Promise<Restore> {
	if (sql.dialect !== 'sqlite') {
		return async () => {};
	}

	const row = await sql.get<{cache_size: number}>('PRAGMA cache_size');
	const previous = Number(row?.cache_size ?? -2000);
	await sql.run('PRAGMA cache_size = -262144');
	return async () => {
		await sql.run(`PRAGMA cache_size = ${previous}`);
	};
}

/**
 * MariaDB: the row sources of a chunk (≤ 100,000 rows) are materialised as in-memory temporary tables; 64 MB keeps
 * them off disk. Session variables, so call it inside the transaction (one connection); restores the old values.
 */
export async function enlargeTemporaryTables(sql: Sql): Promise<Restore> {
	if (sql.dialect !== 'mysql') {
		return async () => {};
	}

	const row = await sql.get<{tmp: number | string; heap: number | string}>('SELECT @@session.tmp_table_size AS tmp, @@session.max_heap_table_size AS heap');
	await sql.run('SET SESSION tmp_table_size = 67108864, max_heap_table_size = 67108864');
	return async () => {
		await sql.run('SET SESSION tmp_table_size = ?, max_heap_table_size = ?', [Number(row?.tmp), Number(row?.heap)]);
	};
}
