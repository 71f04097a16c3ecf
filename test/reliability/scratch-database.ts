import {randomBytes} from 'node:crypto';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {parseDatabaseUrl} from '../../source/db/database-url.js';
import {type Database, migrateRunbookTables, openDatabase} from '../../source/db/orm.js';
import type {Dialect} from '../../source/db/sql.js';

// test/helpers/databases.ts without ava, so `npm run soak` (a plain tsx script) can use the same trials: a temp
// SQLite file or a `runbook_test_<random>` schema on MariaDB, with the runbook tables, destroyed afterwards.

export const mysqlServerUrl = (process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');

export type ScratchDatabase = Database & {readonly url: string; readonly destroy: () => Promise<void>};

export async function createScratchDatabase(dialect: Dialect): Promise<ScratchDatabase> {
	let url: string;
	let remove: () => Promise<void>;
	if (dialect === 'sqlite') {
		const folder = mkdtempSync(join(tmpdir(), 'runbook-soak-'));
		url = `sqlite:${join(folder, 'platform.sqlite')}`;
		remove = async () => {
			rmSync(folder, {recursive: true, force: true});
		};
	} else {
		const name = `runbook_test_${randomBytes(5).toString('hex')}`;
		url = `${mysqlServerUrl}/${name}`;
		const admin = await openDatabase(parseDatabaseUrl(`${mysqlServerUrl}/information_schema`));
		await admin.sql.run(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
		await admin.close();
		remove = async () => {
			const cleanup = await openDatabase(parseDatabaseUrl(`${mysqlServerUrl}/information_schema`));
			await cleanup.sql.run(`DROP DATABASE IF EXISTS ${name}`);
			await cleanup.close();
		};
	}

	const database = await openDatabase(parseDatabaseUrl(url), {createSqliteFile: true});
	await migrateRunbookTables(database);
	let closed = false;
	return {
		...database,
		url,
		async close() {
			if (!closed) {
				closed = true;
				await database.close();
			}
		},
		async destroy() {
			if (!closed) {
				closed = true;
				await database.close();
			}

			await remove();
		},
	};
}
