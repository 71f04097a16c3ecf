import {existsSync} from 'node:fs';
import {createRequire} from 'node:module';
import {UsageError} from '../core/errors.js';
import {connectionError} from './connection-errors.js';
import type {DatabaseTarget} from './database-url.js';
import {jsonColumnsAsText} from './mysql-type-cast.js';
import {type SqliteConnection, type SqlReader, sqliteReader} from './sql.js';

// `status` reads a few rows of the runbook tables and writes nothing: it connects through the bare driver, without
// MikroORM and knex (~380 ms of module loading before the first query, measured on the SQLite demo database). The
// connection is configured as the ORM configures its own (orm.ts), so rows read back alike.

export type ReadOnlyDatabase = {
	readonly sql: SqlReader;
	readonly target: DatabaseTarget;
	readonly close: () => Promise<void>;
};

const require = createRequire(import.meta.url);

/** Every command but `demo` (and the tests) refuses a SQLite file that does not exist instead of creating it. */
export function assertSqliteFileExists(target: DatabaseTarget): void {
	if (target.dialect === 'sqlite' && target.path !== ':memory:' && !existsSync(target.path)) {
		throw new UsageError(`The SQLite database ${target.path} does not exist.`, {
			hint: 'Check --database-url, or create a demo database with `community-runbook demo`.',
		});
	}
}

export type SqliteFile = SqliteConnection & {close(callback: (error: Error | null) => void): void};

type Sqlite3 = {
	OPEN_READONLY: number;
	OPEN_READWRITE: number;
	Database: new (path: string, mode: number, callback: (error: Error | null) => void) => SqliteFile & {configure(option: 'busyTimeout', value: number): void};
};

/** A node-sqlite3 connection on an existing file (the driver knex's SQLite client loads too), waiting up to 5 s on a lock. */
export async function openSqliteFile(path: string, mode: 'read-only' | 'read-write'): Promise<SqliteFile> {
	const sqlite3 = require('sqlite3') as Sqlite3;
	const connection = await new Promise<InstanceType<Sqlite3['Database']>>((resolve, reject) => {
		const opened = new sqlite3.Database(path, mode === 'read-only' ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE, error => (error ? reject(error) : resolve(opened)));
	});
	connection.configure('busyTimeout', 5000);
	return connection;
}

export async function closeSqliteFile(connection: SqliteFile): Promise<void> {
	await new Promise<void>(resolve => {
		connection.close(() => resolve());
	});
}

/** Connects for reading; a failure to connect maps to exit 8 naming host:port (never the password), as openDatabase does. */
export async function openReadOnlyDatabase(target: DatabaseTarget, options: {readonly sessionTimeZone?: string} = {}): Promise<ReadOnlyDatabase> {
	assertSqliteFileExists(target);
	if (target.dialect === 'sqlite') {
		// Read-write like the ORM's own connection (a read-only one could not create the WAL's -shm file), never written.
		const connection = await openSqliteFile(target.path, 'read-write').catch((error: unknown) => {
			throw connectionError(target, error);
		});
		const sql = sqliteReader(connection);
		// node-sqlite3 opens lazily: a file that is not a SQLite database fails on its first statement.
		await sql.get('PRAGMA schema_version').catch(async (error: unknown) => {
			await closeSqliteFile(connection);
			throw connectionError(target, error);
		});
		return {sql, target, close: async () => closeSqliteFile(connection)};
	}

	const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
	let connection: import('mysql2/promise').Connection;
	try {
		// As MikroORM's MySQL connection: supportBigNumbers and dateStrings, plus the tool's JSON-as-text cast.
		connection = await mysql.createConnection({
			host: target.host,
			port: target.port,
			user: target.user,
			password: target.password,
			database: target.database,
			connectTimeout: 5000,
			supportBigNumbers: true,
			dateStrings: true,
			typeCast: jsonColumnsAsText,
		});
		if (options.sessionTimeZone !== undefined) {
			await connection.query('SET time_zone = ?', [options.sessionTimeZone]).catch(async (error: unknown) => {
				await connection.end().catch(() => undefined);
				throw error;
			});
		}
	} catch (error) {
		throw connectionError(target, error, options.sessionTimeZone);
	}

	return {
		sql: {
			dialect: 'mysql',
			async all<T>(query: string, parameters: readonly unknown[] = []) {
				const [rows] = await connection.query(query, [...parameters]);
				return rows as T[];
			},
			async get<T>(query: string, parameters: readonly unknown[] = []) {
				const [rows] = await connection.query(query, [...parameters]);
				return (rows as T[])[0];
			},
		},
		target,
		close: async () => connection.end().catch(() => undefined),
	};
}
