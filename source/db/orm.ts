import {mkdirSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname} from 'node:path';
import type {MikroORM, Options} from '@mikro-orm/core';
import {entities} from '../../entities/index.js';
import {mikroOrmCore} from '../../entities/mikro-orm-core.js';
import {connectionError} from './connection-errors.js';
import type {DatabaseTarget} from './database-url.js';
import {jsonColumnsAsText} from './mysql-type-cast.js';
import {existingTables} from './platform-schema.js';
import {assertSqliteFileExists, closeSqliteFile, openSqliteFile} from './read-only-database.js';
import {Sql} from './sql.js';

export type Database = {
	readonly orm: MikroORM;
	readonly sql: Sql;
	readonly target: DatabaseTarget;
	readonly close: () => Promise<void>;
	/**
	 * A connection for reads while `sql` holds a transaction (the batch runner's reader), opened on first use and
	 * closed with the database; undefined when there is none (an in-memory SQLite database).
	 */
	readonly reader?: () => Promise<Sql | undefined>;
};

// Only the driver of the database in use loads (a SQLite `status` never loads mysql2), through require() for the
// reason entities/mikro-orm-core.ts gives. The Migrator and the migrations load only when one is pending.
const require = createRequire(import.meta.url);
const loadSqliteDriver = () => (require('@mikro-orm/sqlite') as typeof import('@mikro-orm/sqlite')).SqliteDriver;
const loadMySqlDriver = () => (require('@mikro-orm/mysql') as typeof import('@mikro-orm/mysql')).MySqlDriver;

/** The tool's own migrations in order (their classes: migrations/list.ts, a test keeps the two equal). */
export const runbookMigrationNames: readonly string[] = ['Migration20261125000000', 'Migration20261125010000'];
const migrationsTable = 'runbook_migrations';

export function ormOptions(target: DatabaseTarget, options: {readonly sessionTimeZone?: string} = {}): Options {
	const common = {
		entities,
		discovery: {warnWhenNoEntities: false},
		debug: false,
		allowGlobalContext: true,
		migrations: {tableName: migrationsTable, migrationsList: [], transactional: target.dialect === 'sqlite', snapshot: false, silent: true},
		ensureDatabase: false,
	} satisfies Options;
	if (target.dialect === 'sqlite') {
		return {...common, driver: loadSqliteDriver(), dbName: target.path, pool: {min: 1, max: 1}} as Options;
	}

	// A TIMESTAMP is converted through the session time zone, so sessions keep the zone the platform's own connections
	// get (DESIGN.md §2): the server's default, since Laravel sets none, or the one its database config names
	// (--db-session-timezone). No mysql2 `timezone` either: MikroORM already sets dateStrings, so DATETIME and TIMESTAMP
	// come back as the stored text and no JavaScript Date ever touches a platform timestamp.
	const {sessionTimeZone} = options;
	return {
		...common,
		driver: loadMySqlDriver(),
		host: target.host,
		port: target.port,
		user: target.user,
		password: target.password,
		dbName: target.database,
		pool: {
			min: 1,
			max: 4,
			...(sessionTimeZone === undefined
				? {}
				: {
					afterCreate(connection: {query: (sql: string, values: unknown[], done: (error?: Error) => void) => void; destroy: () => void}, done: (error: Error | undefined, connection: unknown) => void) {
						connection.query('SET time_zone = ?', [sessionTimeZone], error => {
							if (error) {
								// knex drops a connection whose afterCreate failed without closing it: its socket would hold the process open.
								connection.destroy();
							}

							done(error, connection);
						});
					},
				}),
		},
		driverOptions: {connection: {connectTimeout: 5000, typeCast: jsonColumnsAsText}},
	} as Options;
}

export type OpenOptions = {
	/** Demo and tests may create the SQLite file; every other command refuses a missing one. */
	readonly createSqliteFile?: boolean;
	/** MySQL/MariaDB: `SET time_zone` on every new connection (--db-session-timezone); default: the server's. */
	readonly sessionTimeZone?: string;
};

/** Connects, and maps a failure to connect to exit 8 naming host:port (never the password). */
export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
	if (options.createSqliteFile) {
		if (target.dialect === 'sqlite' && target.path !== ':memory:') {
			mkdirSync(dirname(target.path), {recursive: true});
		}
	} else {
		assertSqliteFileExists(target);
	}

	let orm: MikroORM | undefined;
	try {
		orm = await mikroOrmCore.MikroORM.init(ormOptions(target, {sessionTimeZone: options.sessionTimeZone}));
		if (!(await orm.isConnected())) {
			const check = await orm.checkConnection();
			throw Object.assign(new Error(check.ok ? 'not connected' : check.reason), {cause: check.ok ? undefined : check.error});
		}
	} catch (error) {
		// The pool would otherwise keep retrying its minimum connection (e.g. an unknown session time zone) and hold
		// the process open.
		await orm?.close(true).catch(() => undefined);
		throw connectionError(target, error, options.sessionTimeZone);
	}

	const sql = new Sql(orm, target.dialect);
	if (target.dialect === 'sqlite') {
		// WAL lets the API and status read while a batch commits; NORMAL sync is durable at checkpoints under WAL.
		// The first statement on the file: one that is not a SQLite database fails here.
		await sql.run('PRAGMA journal_mode = WAL').catch(async (error: unknown) => {
			await orm.close(true).catch(() => undefined);
			throw connectionError(target, error);
		});
		await sql.run('PRAGMA synchronous = NORMAL');
		await sql.run('PRAGMA busy_timeout = 5000');
		// As Laravel's SQLite connection does (and MariaDB always does): the schema's foreign keys and cascades hold.
		await sql.run('PRAGMA foreign_keys = ON');
		// A batch's inserts land on random pages of the unique-key indexes (SHA-1 keys): ~2,500 WAL frames per commit of
		// 1,000 activity rows. Checkpointing every 10,000 WAL pages (default 1,000) instead of after almost every batch:
		// 1M legacy migration at --batch=1000 27.7 s → 21.9 s. The page cache stays at 8 MiB (default 2 MiB): 32 and
		// 128 MiB measured no faster on either job (the cost is writing the dirty pages at commit, not reading them)
		// and cost 25–30 MiB of peak RSS (bench, 2026-12-02).
		await sql.run('PRAGMA cache_size = -8192');
		await sql.run('PRAGMA wal_autocheckpoint = 10000');
	}

	let reader: Promise<{sql: Sql; close: () => Promise<void>} | undefined> | undefined;
	return {
		orm,
		sql,
		target,
		reader: async () => (await (reader ??= openReader(sql, target)))?.sql,
		async close() {
			await (await reader?.catch(() => undefined))?.close();
			await orm.close(true);
		},
	};
}

/**
 * MariaDB/MySQL: the pool itself (up to 4 connections: a read takes one the transaction does not hold). SQLite: the
 * pool has one connection, so a second, read-only node-sqlite3 Database on the same file; under WAL it reads the
 * last committed state while the writer commits, on its own libuv thread.
 */
async function openReader(sql: Sql, target: DatabaseTarget): Promise<{sql: Sql; close: () => Promise<void>} | undefined> {
	if (target.dialect !== 'sqlite') {
		return {sql, close: async () => undefined};
	}

	if (target.path === ':memory:' || target.path === '') {
		return undefined;
	}

	const connection = await openSqliteFile(target.path, 'read-only');
	return {
		sql: Sql.onSqliteConnection(sql.orm, connection),
		close: async () => closeSqliteFile(connection),
	};
}

/** Applies the tool's own migrations; returns the names applied (empty when already current). */
export async function migrateRunbookTables(database: Database): Promise<string[]> {
	if ((await pendingRunbookMigrations(database)).length === 0) {
		return [];
	}

	const migrator = await runbookMigrator(database);
	const pending = await migrator.getPendingMigrations();
	await migrator.up();
	return pending.map(migration => migration.name);
}

/** The migrations not yet applied, read from the migrations table (no Migrator needed when there are none). */
export async function pendingRunbookMigrations(database: Database): Promise<string[]> {
	if (!(await existingTables(database.sql)).has(migrationsTable)) {
		return [...runbookMigrationNames];
	}

	const applied = new Set((await database.sql.all<{name: string}>(`SELECT name FROM ${migrationsTable}`)).map(row => row.name));
	return runbookMigrationNames.filter(name => !applied.has(name));
}

async function runbookMigrator(database: Database) {
	const {migrationsList} = await import('./migrations/list.js');
	const {orm} = database;
	orm.config.set('migrations', {...orm.config.get('migrations'), migrationsList});
	// Registered here, not found by MikroORM: it would look for the package from the working directory.
	(require('@mikro-orm/migrations') as typeof import('@mikro-orm/migrations')).Migrator.register(orm);
	return orm.getMigrator();
}
