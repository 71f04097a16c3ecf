import {randomBytes} from 'node:crypto';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import test, {type ExecutionContext} from 'ava';
import {type DatabaseTarget, parseDatabaseUrl} from '../../source/db/database-url.js';
import {type Database, migrateRunbookTables, openDatabase} from '../../source/db/orm.js';
import {createPlatformSchema} from '../../source/db/platform-schema.js';
import type {Dialect} from '../../source/db/sql.js';

export const dialects: readonly Dialect[] = ['sqlite', 'mysql'];

/** MariaDB is not optional (DESIGN.md §11): a missing server fails the tests, it never skips them. */
export const mysqlServerUrl = (process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');

export type TestDatabase = Database & {
	/** A --database-url for child processes. */
	readonly url: string;
	/** Closes the connection and drops the schema / deletes the file. */
	readonly destroy: () => Promise<void>;
};

export type TestDatabaseOptions = {
	/** Create the platform tables (default true). */
	readonly platform?: boolean;
	/** Apply the runbook migrations (default true). */
	readonly runbookTables?: boolean;
};

/** A fresh database of its own: a temp SQLite file, or a `runbook_test_<random>` schema on MariaDB. */
export async function createTestDatabase(dialect: Dialect, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
	const suffix = randomBytes(5).toString('hex');
	let target: DatabaseTarget;
	let url: string;
	let removeStorage: () => Promise<void>;
	if (dialect === 'sqlite') {
		const folder = mkdtempSync(join(tmpdir(), 'runbook-test-'));
		url = `sqlite:${join(folder, 'platform.sqlite')}`;
		target = parseDatabaseUrl(url);
		removeStorage = async () => {
			rmSync(folder, {recursive: true, force: true});
		};
	} else {
		const name = `runbook_test_${suffix}`;
		url = `${mysqlServerUrl}/${name}`;
		target = parseDatabaseUrl(url);
		const admin = await openAdmin();
		await admin.sql.run(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
		await admin.close();
		removeStorage = async () => {
			const cleanup = await openAdmin();
			await cleanup.sql.run(`DROP DATABASE IF EXISTS ${name}`);
			await cleanup.close();
		};
	}

	const database = await openDatabase(target, {createSqliteFile: true});
	if (options.platform !== false) {
		await createPlatformSchema(database.sql);
	}

	if (options.runbookTables !== false) {
		await migrateRunbookTables(database);
	}

	let closed = false;
	return {
		...database,
		url,
		close: async () => {
			if (!closed) {
				closed = true;
				await database.close();
			}
		},
		destroy: async () => {
			if (!closed) {
				closed = true;
				await database.close();
			}

			await removeStorage();
		},
	};
}

async function openAdmin(): Promise<Database> {
	try {
		return await openDatabase(parseDatabaseUrl(`${mysqlServerUrl}/information_schema`));
	} catch (error) {
		throw new Error(`MariaDB is required by the tests and is not reachable at ${mysqlServerUrl} (${(error as Error).message}). Start it, or set MYSQL_URL.`);
	}
}

/** Registers one ava test per dialect, each with its own database, destroyed afterwards. */
export function testEachDialect(title: string, body: (t: ExecutionContext, database: TestDatabase) => Promise<void>, options: TestDatabaseOptions = {}): void {
	for (const dialect of dialects) {
		test(`${title} [${dialect}]`, async t => {
			const database = await createTestDatabase(dialect, options);
			try {
				await body(t, database);
			} finally {
				await database.destroy();
			}
		});
	}
}
