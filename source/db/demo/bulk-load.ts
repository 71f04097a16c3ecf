import {platformDdl} from '../platform-schema.js';
import type {Sql} from '../sql.js';

// Tuning for the bulk load, undone afterwards. Measured on 1M enrollments: both SQLite and MariaDB load a table
// without its secondary indexes and then build them by sorting clearly faster than they maintain them row by row
// (SQLite ~2.3 s against ~4 s of CPU, MariaDB ~4 s against ~6.5 s); a larger SQLite page cache helps the sorts.

export type Restore = () => Promise<void>;

/** Drops the secondary (non-unique) indexes of `tables`; the returned function recreates them as platform-schema defines them. */
export async function deferSecondaryIndexes(sql: Sql, tables: readonly string[]): Promise<Restore> {
	const statements = platformDdl(sql.dialect).filter(statement => tables.some(table => statement.startsWith('CREATE INDEX ') && statement.includes(` ON ${table} (`)));
	for (const statement of statements) {
		const [, name, table] = /^CREATE INDEX (\S+) ON (\S+) /.exec(statement)!;
		await sql.run(sql.dialect === 'sqlite' ? `DROP INDEX ${name}` : `DROP INDEX ${name} ON ${table}`);
	}

	return async () => {
		for (const statement of statements) {
			await sql.run(statement);
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
