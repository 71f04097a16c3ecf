import {createHash} from 'node:crypto';
import test from 'ava';
import {Sql} from '../../source/db/sql.js';
import {takeSnapshot} from '../../source/evidence/snapshot.js';
import {createTestDatabase, testEachDialect, type TestDatabase} from '../helpers/databases.js';

const tables = ['users', 'communities', 'community_members', 'profile_activities', 'enrollments', 'courses'] as const;

async function insert(database: TestDatabase, table: string, columns: string[], rows: unknown[][]): Promise<void> {
	for (let start = 0; start < rows.length; start += 500) {
		const chunk = rows.slice(start, start + 500);
		await database.sql.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Sql.tuples(chunk.length, columns.length)}`, chunk.flat());
	}
}

async function seed(database: TestDatabase): Promise<void> {
	await insert(database, 'users', ['id', 'name', 'email', 'password', 'role', 'created_at', 'updated_at'], [
		[1, 'Zoë Ångström', 'zoe@example.test', '$2y$10$zoe', 'instructor', '2026-01-02 03:04:05', null],
		[2, '李雷 😀', 'li@example.test', 'x', 'student', '2026-02-03 04:05:06', '2026-02-03 04:05:07'],
		[3, 'O\'Brien | "quoted"; semi', 'ob@example.test', '$2y$10$ob|;', 'student', '2026-03-04 05:06:07', null],
	]);
	await insert(database, 'communities', ['id', 'slug', 'name', 'settings', 'launched_at', 'created_by', 'created_at', 'updated_at', 'deleted_at'], [
		[10, 'maths', 'Maths', '{"classroom_links": {"5": {"default_role": "Teacher"}}, "beta": true}', '2026-01-01 00:00:00', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00', null],
		[11, 'art', 'Art ✏️', null, null, 2, '2026-01-05 00:00:00', '2026-01-06 00:00:00', '2026-01-07 00:00:00'],
	]);
	await insert(database, 'community_members', ['id', 'community_id', 'user_id', 'role', 'status', 'joined_at', 'metadata', 'created_at', 'updated_at', 'deleted_at'], [
		[1, 10, 1, 'admin', 'active', '2026-01-01 10:00:00', '{"backfill":{"classrooms":{"idempotency_key":"abc"}}}', '2026-01-01 10:00:00', '2026-01-01 10:00:00', null],
		[2, 10, 2, 'member', 'left', '2026-01-02 10:00:00', null, '2026-01-02 10:00:00', null, '2026-01-03 10:00:00'],
	]);
	await insert(database, 'profile_activities', ['id', 'user_id', 'community_id', 'activity_type', 'subject_type', 'subject_id', 'idempotency_key', 'occurred_at', 'context', 'created_at', 'updated_at'], [
		[1, 1, 10, 'post_created', 'community_post', 7, 'post:7', '2026-01-03 00:00:00', '{"title": "Ünïcode"}', '2026-01-03 00:00:01', null],
		[2, 2, null, 'certificate_earned', 'certificate', 9, 'cert:9', '2026-01-04 00:00:00', null, '2026-01-04 00:00:01', null],
	]);
	// Enough rows to cross several batches of 5000.
	const enrollments = Array.from({length: 12_345}, (_, index) => [index + 1, index % 7 === 0 ? null : (index % 3) + 1, (index % 5) + 1, index % 11 === 0 ? null : 1_700_000_000 + index, `2026-01-01 00:${String(index % 60).padStart(2, '0')}:00`]);
	await insert(database, 'enrollments', ['id', 'user_id', 'course_id', 'entry_date', 'created_at'], enrollments);
	await insert(database, 'courses', ['id', 'title', 'short_description', 'created_at', 'updated_at'], [[1, 'Intro', null, '2026-01-01 00:00:00', null]]);
}

test('the same data gives the same checksums on SQLite and MariaDB; one changed column changes only its table', async t => {
	const sqlite = await createTestDatabase('sqlite');
	const mysql = await createTestDatabase('mysql');
	try {
		await seed(sqlite);
		await seed(mysql);
		const left = await takeSnapshot(sqlite.sql, tables);
		const right = await takeSnapshot(mysql.sql, tables);
		t.deepEqual(left, right);
		t.deepEqual(
			left.map(snapshot => snapshot.rows),
			[3, 2, 2, 2, 12_345, 1],
		);
		for (const snapshot of left) {
			t.regex(snapshot.checksum, /^[\da-f]{64}$/);
		}

		for (const database of [sqlite, mysql]) {
			await database.sql.run(`UPDATE community_members SET role = 'moderator' WHERE id = 2`);
			await database.sql.run(`UPDATE enrollments SET entry_date = NULL WHERE id = 9001`);
		}

		const changedLeft = await takeSnapshot(sqlite.sql, tables);
		const changedRight = await takeSnapshot(mysql.sql, tables);
		t.deepEqual(changedLeft, changedRight);
		const differs = changedLeft.map((snapshot, index) => snapshot.checksum !== left[index]!.checksum);
		t.deepEqual(differs, [false, false, true, false, true, false]);
	} finally {
		await sqlite.destroy();
		await mysql.destroy();
	}
});

testEachDialect('row text is length-prefixed, NULL-marked and hashed in key order', async (t, database) => {
	// certificates: a platform table of six columns (id, user_id, course_id, identifier, created_at, updated_at).
	await insert(database, 'certificates', ['id', 'user_id', 'course_id', 'identifier', 'created_at', 'updated_at'], [
		[2, null, 7, 'a|b', '2026-01-02 00:00:00', null],
		[1, 5, null, 'Intro', '2026-01-01 00:00:00', null],
	]);
	const expected = createHash('sha256').update('1:1|1:5|NULL|5:Intro|19:2026-01-01 00:00:00|NULL;1:2|NULL|1:7|3:a|b|19:2026-01-02 00:00:00|NULL;').digest('hex');
	t.deepEqual(await takeSnapshot(database.sql, ['certificates']), [{table: 'certificates', rows: 2, checksum: expected}]);
});

testEachDialect('tables without id, empty tables and missing tables', async (t, database) => {
	await database.sql.run(`INSERT INTO runbook_locks (name, run_id, host, pid, acquired_at, heartbeat_at) VALUES ('community-runbook', 'r1', 'host-a', 42, '2026-11-25 19:00:00', '2026-11-25 19:00:00')`);
	const [locks, empty, missing] = await takeSnapshot(database.sql, ['runbook_locks', 'certificates', 'no_such_table']);
	t.is(locks!.rows, 1);
	t.regex(locks!.checksum, /^[\da-f]{64}$/);
	t.deepEqual(empty, {table: 'certificates', rows: 0, checksum: createHash('sha256').update('').digest('hex')});
	t.deepEqual(missing, {table: 'no_such_table', rows: 0, checksum: 'missing'});
	await database.sql.run(`UPDATE runbook_locks SET pid = 43`);
	const [after] = await takeSnapshot(database.sql, ['runbook_locks']);
	t.not(after!.checksum, locks!.checksum);
});
