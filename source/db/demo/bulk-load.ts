import {type PlatformIndex, type PlatformTable, platformForeignKeys, platformIndexes} from '../platform-schema.js';
import type {Sql} from '../sql.js';

// Tuning for the bulk load, undone afterwards. Measured on 1M enrollments: both SQLite and MariaDB load a table
// without its secondary indexes and then build them by sorting clearly faster than they maintain them row by row
// (SQLite ~2.3 s against ~4 s of CPU, MariaDB ~4 s against ~6.5 s); a larger SQLite page cache helps the sorts.

export type Restore = () => Promise<void>;

/**
 * The non-unique indexes of `table` that can be dropped while loading. MariaDB refuses to drop the index a foreign
 * key uses (ER_DROP_INDEX_FK): per foreign key column, the first index that starts with it stays.
 */
function deferrableIndexes(sql: Sql, table: PlatformTable): PlatformIndex[] {
	const indexes = platformIndexes(table);
	const needed = new Set(sql.dialect === 'sqlite' ? [] : platformForeignKeys(table).map(key => indexes.find(index => index.columns[0] === key.column)?.name));
	return indexes.filter(index => !index.unique && !needed.has(index.name));
}

/** Drops the deferrable secondary indexes of `tables`; the returned function recreates them as platform-schema defines them. */
export async function deferSecondaryIndexes(sql: Sql, tables: readonly PlatformTable[]): Promise<Restore> {
	const indexes = tables.flatMap(table => deferrableIndexes(sql, table)).map(({table, name, columns}) => ({table, name, columns: `(${columns.join(', ')})`}));
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
	const altered = tables.filter(table => byTable(table).length > 0);
	for (const table of altered) {
		await sql.run(`ALTER TABLE ${table} ${byTable(table).map(({name}) => `DROP INDEX ${name}`).join(', ')}`);
	}

	return async () => {
		for (const table of altered) {
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

/**
 * The demo loads as a restored dump does, with foreign key checks off: rows by authors missing from users (which a
 * dump restored with FOREIGN_KEY_CHECKS=0 can carry) load, and the checks cost nothing. SQLite: the pragma, set
 * outside any transaction (it is a no-op inside one); MariaDB: the session variable, set inside the transaction so
 * it holds on the connection that loads. The returned function restores the previous setting.
 */
export async function suspendForeignKeys(sql: Sql): Promise<Restore> {
	if (sql.dialect === 'sqlite') {
		if (sql.inTransaction) {
			throw new Error('PRAGMA foreign_keys is a no-op inside a transaction: suspend the checks before it starts.');
		}

		const row = await sql.get<{foreign_keys: number}>('PRAGMA foreign_keys');
		await sql.run('PRAGMA foreign_keys = OFF');
		return async () => {
			await sql.run(`PRAGMA foreign_keys = ${Number(row?.foreign_keys ?? 0) === 1 ? 'ON' : 'OFF'}`);
		};
	}

	if (!sql.inTransaction) {
		throw new Error('foreign_key_checks is per connection: suspend the checks inside the loading transaction.');
	}

	const row = await sql.get<{checks: number | string}>('SELECT @@session.foreign_key_checks AS checks');
	await sql.run('SET SESSION foreign_key_checks = 0');
	return async () => {
		await sql.run('SET SESSION foreign_key_checks = ?', [Number(row?.checks ?? 1)]);
	};
}
