import test from 'ava';
import {createConnection, type RowDataPacket} from 'mysql2/promise';
import {parseDatabaseUrl} from '../../source/db/database-url.js';
import {type Database, openDatabase} from '../../source/db/orm.js';
import {UsageError} from '../../source/core/errors.js';
import {createTestDatabase, mysqlServerUrl, type TestDatabase} from '../helpers/databases.js';

// DESIGN.md §2: a TIMESTAMP is converted through the session time zone, so the tool's sessions must use the zone
// the platform's connections get. MariaDB only: the question does not exist on SQLite. A missing server fails
// these tests (createTestDatabase says so); it never skips them.

const server = new URL(mysqlServerUrl);

/** A connection as the platform's would be: plain mysql2, the given session zone, timestamps as text (as PDO). */
async function platformConnection(database: TestDatabase, sessionTimeZone: string) {
	const target = parseDatabaseUrl(database.url);
	const connection = await createConnection({host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username) || 'root', password: decodeURIComponent(server.password), database: target.dialect === 'mysql' ? target.database : '', dateStrings: true});
	await connection.query('SET time_zone = ?', [sessionTimeZone]);
	return connection;
}

async function withSchema(work: (database: TestDatabase) => Promise<void>): Promise<void> {
	const database = await createTestDatabase('mysql', {platform: false, runbookTables: false});
	try {
		await work(database);
	} finally {
		await database.destroy();
	}
}

/** Several statements at once, so the pool opens more than one connection: each must have been set up. */
async function sessionZonesOfSeveralConnections(database: Database): Promise<Array<{id: number; zone: string}>> {
	const rows = await Promise.all(Array.from({length: 4}, async () => database.sql.get<{id: number; zone: string}>('SELECT CONNECTION_ID() AS id, @@session.time_zone AS zone, SLEEP(0.2) AS pause')));
	return rows.map(row => ({id: Number(row!.id), zone: String(row!.zone)}));
}

test('with --db-session-timezone, the platform reads back exactly the TIMESTAMP text the tool wrote; another zone would see it shifted', async t => {
	await withSchema(async database => {
		await database.sql.run('CREATE TABLE stamps (id INT PRIMARY KEY, at TIMESTAMP NULL DEFAULT NULL)');
		const tool = await openDatabase(parseDatabaseUrl(database.url), {sessionTimeZone: '+06:00'});
		const platform = await platformConnection(database, '+06:00');
		const utcSession = await platformConnection(database, '+00:00');
		try {
			await tool.sql.run('INSERT INTO stamps (id, at) VALUES (?, ?)', [1, '2025-03-30 02:30:00']);
			t.deepEqual(await tool.sql.get('SELECT at FROM stamps WHERE id = 1'), {at: '2025-03-30 02:30:00'}, 'the tool reads its own text back, no Date');
			const [platformRows] = await platform.query<RowDataPacket[]>('SELECT at FROM stamps WHERE id = 1');
			t.is(platformRows[0]!.at, '2025-03-30 02:30:00');
			const [utcRows] = await utcSession.query<RowDataPacket[]>('SELECT at FROM stamps WHERE id = 1');
			t.is(utcRows[0]!.at, '2025-03-29 20:30:00', 'the same instant through a +00:00 session: why the tool does not force UTC');

			const zones = await sessionZonesOfSeveralConnections(tool);
			t.true(new Set(zones.map(zone => zone.id)).size > 1, 'several pool connections were used');
			t.deepEqual(zones.map(zone => zone.zone), ['+06:00', '+06:00', '+06:00', '+06:00']);
		} finally {
			await platform.end();
			await utcSession.end();
			await tool.close();
		}
	});
});

test('without --db-session-timezone, every connection keeps the server default (what the platform gets)', async t => {
	await withSchema(async database => {
		const zones = await sessionZonesOfSeveralConnections(database);
		const server = await database.sql.get<{zone: string}>('SELECT @@global.time_zone AS zone');
		t.true(new Set(zones.map(zone => zone.id)).size > 1, 'several pool connections were used');
		t.deepEqual(zones.map(zone => zone.zone), Array.from({length: 4}, () => String(server!.zone)));
	});
});

test('a session time zone the server does not know is a usage error naming --db-session-timezone', async t => {
	await withSchema(async database => {
		const error = await t.throwsAsync(openDatabase(parseDatabaseUrl(database.url), {sessionTimeZone: 'Mars/Olympus'}), {instanceOf: UsageError});
		t.regex(error!.message, /does not know the session time zone "Mars\/Olympus" \(--db-session-timezone\)/);
	});
});
