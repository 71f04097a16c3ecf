import test from 'ava';
import {parseDatabaseUrl} from '../../source/db/database-url.js';
import {migrateRunbookTables, openDatabase, pendingRunbookMigrations, runbookMigrationNames} from '../../source/db/orm.js';
import {migrationsList} from '../../source/db/migrations/list.js';
import {existingTables, platformTables} from '../../source/db/platform-schema.js';
import {DatabaseUnreachable, UsageError} from '../../source/core/errors.js';
import {testEachDialect} from '../helpers/databases.js';

testEachDialect('creates the platform schema and the runbook tables', async (t, database) => {
	const tables = await existingTables(database.sql);
	for (const table of [...platformTables, 'runbook_runs', 'runbook_batches', 'runbook_undo', 'runbook_locks']) {
		t.true(tables.has(table), table);
	}

	t.deepEqual(await pendingRunbookMigrations(database), []);
});

testEachDialect('reports the runbook migrations as pending on a bare platform schema', async (t, database) => {
	t.deepEqual(await pendingRunbookMigrations(database), ['Migration20261125000000', 'Migration20261125010000']);
}, {runbookTables: false});

testEachDialect('a partly migrated database gets the rest, and the names checked without the Migrator match its list', async (t, database) => {
	t.deepEqual(migrationsList.map(migration => migration.name), [...runbookMigrationNames]);
	t.deepEqual(await migrateRunbookTables(database), ['Migration20261125000000', 'Migration20261125010000']);
	t.deepEqual(await pendingRunbookMigrations(database), []);
	t.deepEqual(await migrateRunbookTables(database), []);
	await database.sql.run(`DELETE FROM runbook_migrations WHERE name = 'Migration20261125010000'`);
	await database.sql.run('DROP TABLE runbook_backfill_pairs');
	t.deepEqual(await pendingRunbookMigrations(database), ['Migration20261125010000']);
	t.deepEqual(await migrateRunbookTables(database), ['Migration20261125010000']);
	t.true((await existingTables(database.sql)).has('runbook_backfill_pairs'));
}, {runbookTables: false});

test('an unreachable server is exit 8 naming host:port, never the password', async t => {
	const error = await t.throwsAsync(openDatabase(parseDatabaseUrl('mysql://root:hunter2secret@127.0.0.1:1/x')), {instanceOf: DatabaseUnreachable});
	t.regex(error!.message, /127\.0\.0\.1:1/);
	t.false(`${error!.message} ${String(error!.hint)}`.includes('hunter2secret'));
});

test('bad URLs are usage errors', t => {
	for (const url of ['foo://x', 'mysql://', 'mysql://host', 'sqlite:', 'postgres://a@b/c']) {
		t.throws(() => parseDatabaseUrl(url), {instanceOf: UsageError}, url);
	}

	t.deepEqual(parseDatabaseUrl('mariadb://u:p%40ss@db.local:3307/app'), {dialect: 'mysql', host: 'db.local', port: 3307, user: 'u', password: 'p@ss', database: 'app'});
	t.deepEqual(parseDatabaseUrl('sqlite:storage/demo.sqlite'), {dialect: 'sqlite', path: 'storage/demo.sqlite'});
});
