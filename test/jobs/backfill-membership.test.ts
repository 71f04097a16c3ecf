import test from 'ava';
import {existingTables} from '../../source/db/platform-schema.js';
import type {Sql} from '../../source/db/sql.js';
import {assumeNonConsecutiveIds} from '../../source/db/bulk-insert.js';
import {PrerequisiteFailed, type RunbookError, UsageError} from '../../source/core/errors.js';
import {parseJobParams} from '../../source/engine/job-runner.js';
import {wholeRowHash} from '../../source/engine/row-hash.js';
import {takeSnapshot} from '../../source/evidence/snapshot.js';
import {backfillMembership} from '../../source/jobs/backfill-membership.js';
import {createTestDatabase, type TestDatabase, testEachDialect} from '../helpers/databases.js';
import {type HarnessOptions, runJob} from '../helpers/run-job.js';
import {maskRunIds, memberRows, seedBackfillDataset} from './helpers/backfill-dataset.js';
import {testAppKey, testPlatform} from '../helpers/platform.js';
import {readJsonColumn, writeJsonColumn} from '../../source/core/laravel-crypt.js';

const now = new Date('2026-11-25T19:00:00Z');
const start = '2026-11-25 19:00:00';
const old = '2020-01-01 00:00:00';

async function backfill(database: TestDatabase, params: Record<string, unknown> = {}, harness: HarnessOptions = {}) {
	return runJob(database, backfillMembership, {source: 'classrooms', ...params}, {now, ...harness});
}

async function seeded(database: TestDatabase): Promise<TestDatabase> {
	await seedBackfillDataset(database.sql);
	return database;
}

/** Every table's row count and content checksum (runbook_* included). */
async function digest(sql: Sql) {
	const tables = [...(await existingTables(sql))].filter(table => !table.startsWith('sqlite_')).sort();
	return takeSnapshot(sql, tables);
}

// Worked out by hand from test/jobs/helpers/backfill-dataset.ts.
const expectedMetrics = {
	communities_processed: 3, // alpha, beta, epsilon (delta is soft-deleted)
	communities_skipped: 1, // gamma
	enrollments_scanned: 25, // alpha 12 (course 10: 7, course 11: 5), beta 11 (course 11: 5, course 12: 6), epsilon 2
	members_created: 8, // alpha u1 u2; beta u1 u2 u4 u11; epsilon u2 u12
	members_reactivated: 3, // beta u7 (left), u8 (pending), u9 (soft-deleted)
	members_updated: 2, // alpha u4 (role raised), u5 (joined_at moved earlier)
	members_unchanged: 2, // alpha u3 (same role), u6 (higher role)
	records_skipped: 7, // #15 alpha, #16 alpha+beta, #17 beta, beta u10 ×2 (banned), alpha u11 (banned)
};

const unchangedMetrics = {...expectedMetrics, members_created: 0, members_reactivated: 0, members_updated: 0, members_unchanged: 15};

/** The exact metadata text the backfill writes, keys in the order of DESIGN.md §3.2, after any existing keys. */
function stamped(course: number, key: string, runId: string, before: Record<string, unknown> = {}, backfillBefore: Record<string, unknown> = {}): string {
	return JSON.stringify({
		...before,
		backfill: {...backfillBefore, classrooms: {course_id: course, source: 'classrooms', idempotency_key: key, synced_at: '2026-11-25T19:00:00Z', run_id: runId}},
	});
}

// sha1("classrooms:{community}:{user}:{course}"), computed with `printf … | sha1sum` by hand.
const keys = {
	'1:1:10': '5865a817d749a49a7edddd84c5c5ff5449ec04df',
	'1:2:11': '926cc669c1e22b49ff6beac680210e21b0d18e90',
	'1:4:11': '45831c019f155832f8cda028621fa1ad106c4604',
	'1:5:10': '1736507187bbf12d982cbd79cb8a3f03b59348a4',
	'2:1:11': '8bfc287cb64e8330d65bb8d46f2afc248fe447e3',
	'2:2:11': '715b8e301d95b30f4ce5cd5b15c210724980216a',
	'2:4:11': '32cdbe8c4a73e9cbe9986871af3f1ef43f8dd75a',
	'2:7:12': 'f3847114467d7115e685d772850b1c7d7f18c536',
	'2:8:12': '4a435bf5e69b70bc6744437359eacb2c7e508617',
	'2:9:12': 'e8a37a50280c4ab89e7ea1222ae5676f91bbce98',
	'2:11:11': 'b7fc20a49e5bd5c87a9bbbf8c665877e20ebffe8',
	'5:2:13': '3b8d5b6b0f1c7bbd41a078fb64f059f5413ec2fd',
	'5:12:13': '7764cfe9b866e3002b0e012c9516d6ec3094819e',
};

function expectedRows(runId: string) {
	const row = (id: number, community: number, user: number, role: string, status: string, joined: string, metadata: string | null, created: string, deleted: string | null) => ({
		id,
		community_id: community,
		user_id: user,
		role,
		status,
		joined_at: joined,
		metadata,
		created_at: created,
		updated_at: created,
		deleted_at: deleted,
		points: 0,
	});
	return [
		row(11, 1, 1, 'admin', 'active', '2024-01-01 00:00:00', stamped(10, keys['1:1:10'], runId), start, null),
		row(12, 1, 2, 'admin', 'active', '2023-05-05 05:05:05', stamped(11, keys['1:2:11'], runId), start, null),
		row(1, 1, 3, 'member', 'active', '2023-01-01 00:00:00', null, old, null),
		row(2, 1, 4, 'admin', 'active', '2022-01-01 00:00:00', stamped(11, keys['1:4:11'], runId, {source: 'manual'}), old, null),
		row(3, 1, 5, 'owner', 'active', '2024-01-01 00:00:00', stamped(10, keys['1:5:10'], runId), old, null),
		row(4, 1, 6, 'admin', 'active', '2020-01-01 00:00:00', '{"keep":true}', old, null),
		row(9, 1, 11, 'member', 'banned', '2025-01-01 00:00:00', null, old, '2025-01-01 00:00:00'),
		row(13, 2, 1, 'moderator', 'active', '2024-03-01 00:00:00', stamped(11, keys['2:1:11'], runId), start, null),
		row(14, 2, 2, 'moderator', 'active', '2023-05-05 05:05:05', stamped(11, keys['2:2:11'], runId), start, null),
		row(15, 2, 4, 'moderator', 'active', '2024-02-01 00:00:00', stamped(11, keys['2:4:11'], runId), start, null),
		row(5, 2, 7, 'member', 'active', '2024-01-01 00:00:00', stamped(12, keys['2:7:12'], runId), old, null),
		row(6, 2, 8, 'moderator', 'active', '2021-01-01 00:00:00', stamped(12, keys['2:8:12'], runId), old, null),
		row(7, 2, 9, 'member', 'active', '2024-03-01 00:00:00', stamped(12, keys['2:9:12'], runId, {note: 'x'}, {other: {a: 1}}), old, null),
		row(8, 2, 10, 'member', 'banned', '2024-01-01 00:00:00', '{"b":1}', old, null),
		row(16, 2, 11, 'moderator', 'active', '2024-01-01 00:00:00', stamped(11, keys['2:11:11'], runId), start, null),
		row(10, 3, 1, 'member', 'active', '2024-01-01 00:00:00', null, old, null),
		row(17, 5, 2, 'owner', 'active', '2024-02-01 00:00:00', stamped(13, keys['5:2:13'], runId), start, null),
		row(18, 5, 12, 'owner', 'active', '2026-11-25 19:00:00', stamped(13, keys['5:12:13'], runId), start, null),
	];
}

test('parameters: --source must be classrooms, --batch 1..100000, --community normalised', t => {
	const parse = (raw: Record<string, unknown>) => parseJobParams(backfillMembership, raw);
	const defaults = parse({source: 'classrooms'});
	t.deepEqual(defaults, {source: 'classrooms', batch: 1000});
	t.is(defaults.community, undefined);
	t.is(parse({source: 'classrooms', batch: '7'}).batch, 7);
	t.is(parse({source: 'classrooms', batch: 100_000}).batch, 100_000);
	for (const batch of ['0', '-1', 'abc', '1e3', '1.5', '999999999', 0, 1.5, '']) {
		const error = t.throws(() => parse({source: 'classrooms', batch}), {instanceOf: UsageError}, `--batch=${String(batch)}`);
		t.regex(error?.message ?? '', /^--batch must be an integer 1\.\.100000/);
	}

	for (const source of ['posts', undefined, 'Classrooms']) {
		const error = t.throws(() => parse({source}), {instanceOf: UsageError});
		t.regex(error?.message ?? '', /^--source must be classrooms/);
	}

	const parsed = parse({source: 'classrooms', community: ' Math Club!, 12 ,study_group,math-club,012'});
	t.deepEqual(parsed.community, ['12', 'math-club', 'study-group']);
	t.deepEqual(backfillMembership.semanticParams(parsed as never), {source: 'classrooms', community: ['12', 'math-club', 'study-group']});
	t.deepEqual(backfillMembership.semanticParams(parse({source: 'classrooms', batch: '5'}) as never), {source: 'classrooms', community: null});
	t.throws(() => parse({source: 'classrooms', community: ' , '}), {instanceOf: UsageError, message: /^--community/});
});

testEachDialect('exact metrics, rows, metadata, warnings and undo rows', async (t, database) => {
	await seeded(database);
	const result = await backfill(database, {batch: '4'});
	t.is(result.status, 'succeeded');
	t.deepEqual(result.metrics, expectedMetrics);
	t.deepEqual(result.warnings, [
		'Community alpha (id 1): classroom link {"abc":{"default_role":"admin"}} ignored: course id "abc" is not a positive integer.',
		'Community beta (id 2): classroom link {"course_id":0} ignored: course id 0 is not a positive integer.',
	]);
	const rows = await memberRows(database.sql);
	t.deepEqual(rows, expectedRows(result.runId));
	// The exact text of one stamped row, spelled out.
	t.is(
		rows.find(row => row.id === 7)!.metadata,
		`{"note":"x","backfill":{"other":{"a":1},"classrooms":{"course_id":12,"source":"classrooms","idempotency_key":"e8a37a50280c4ab89e7ea1222ae5676f91bbce98","synced_at":"2026-11-25T19:00:00Z","run_id":"${result.runId}"}}}`,
	);

	// Undo: 8 inserts and 5 updates; each after_hash matches the row as the run left it; `before` is the prior row.
	const undo = await database.sql.all<{row_id: unknown; action: string; before: string | null; after_hash: string}>('SELECT row_id, action, `before`, after_hash FROM runbook_undo WHERE run_id = ? ORDER BY id', [result.runId]);
	t.deepEqual(
		undo.map(entry => [Number(entry.row_id), entry.action]),
		[
			// Per batch (4 pairs of 17, banned pairs included): the inserts, then the updates.
			[11, 'insert'],
			[12, 'insert'],
			[2, 'update'],
			[13, 'insert'],
			[3, 'update'],
			[14, 'insert'],
			[15, 'insert'],
			[5, 'update'],
			[6, 'update'],
			[16, 'insert'],
			[17, 'insert'],
			[7, 'update'],
			[18, 'insert'],
		],
	);
	const current = await database.sql.all<Record<string, unknown>>('SELECT * FROM community_members');
	for (const entry of undo) {
		t.is(wholeRowHash(current.find(row => Number(row.id) === Number(entry.row_id))!), entry.after_hash, `after_hash of member ${String(entry.row_id)}`);
	}

	t.deepEqual(JSON.parse(undo.find(entry => Number(entry.row_id) === 7)!.before!), {
		community_id: 2,
		user_id: 9,
		role: 'member',
		status: 'active',
		joined_at: '2024-06-01 00:00:00',
		deleted_at: '2025-03-03 03:03:03',
		metadata: '{"note":"x","backfill":{"other":{"a":1}}}',
	});

	// Batches: 17 pairs (15 handled + 2 banned) by 4 → 5 batches; the work table is empty once the run succeeded.
	const batches = await database.sql.all<{rows_scanned: unknown}>('SELECT rows_scanned FROM runbook_batches WHERE run_id = ? ORDER BY seq', [result.runId]);
	t.deepEqual(batches.map(batch => Number(batch.rows_scanned)), [4, 4, 4, 4, 1]);
	t.is(Number((await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_backfill_pairs'))!.n), 0);
	const run = await database.sql.get<{status: string; metrics: string}>('SELECT status, metrics FROM runbook_runs WHERE run_id = ?', [result.runId]);
	t.is(run?.status, 'succeeded');
	t.deepEqual(JSON.parse(run!.metrics), expectedMetrics);
});

testEachDialect('on a server without consecutive insert ids the ids are looked up: same rows, same undo rows', async (t, database) => {
	assumeNonConsecutiveIds(database.orm);
	await seeded(database);
	const result = await backfill(database, {batch: '4'});
	t.deepEqual(await memberRows(database.sql), expectedRows(result.runId));
	const undo = await database.sql.all<{row_id: unknown; action: string; after_hash: string}>('SELECT row_id, action, after_hash FROM runbook_undo WHERE run_id = ? ORDER BY id', [result.runId]);
	t.deepEqual(undo.filter(entry => entry.action === 'insert').map(entry => Number(entry.row_id)), [11, 12, 13, 14, 15, 16, 17, 18]);
	const current = await database.sql.all<Record<string, unknown>>('SELECT * FROM community_members');
	for (const entry of undo) {
		t.is(wholeRowHash(current.find(row => Number(row.id) === Number(entry.row_id))!), entry.after_hash, `after_hash of member ${String(entry.row_id)}`);
	}
});

testEachDialect('--batch=1, 7 and 100000 give identical metrics and identical rows', async (t, database) => {
	const others = [await createTestDatabase(database.sql.dialect), await createTestDatabase(database.sql.dialect)];
	try {
		const outcomes = [];
		for (const [index, db] of [database, ...others].entries()) {
			await seeded(db);
			const result = await backfill(db, {batch: ['1', '7', '100000'][index]});
			outcomes.push({metrics: result.metrics, rows: maskRunIds(await memberRows(db.sql))});
		}

		t.deepEqual(outcomes[0]!.metrics, expectedMetrics);
		t.deepEqual(outcomes[1], outcomes[0]);
		t.deepEqual(outcomes[2], outcomes[0]);
		t.deepEqual(outcomes[0]!.rows, maskRunIds(expectedRows('R')));
	} finally {
		await Promise.all(others.map(async db => db.destroy()));
	}
});

testEachDialect('the dry run writes nothing and predicts the execution exactly', async (t, database) => {
	await seeded(database);
	const before = await digest(database.sql);
	const plan = await backfill(database, {batch: '2'}, {mode: 'dry-run'});
	t.deepEqual(await digest(database.sql), before);
	t.deepEqual(plan.metrics, expectedMetrics);
	const samples = plan.result!.samples as Array<{action: string; community_id: number; user_id: number}>;
	t.deepEqual(
		samples.map(sample => `${sample.action} ${sample.community_id}:${sample.user_id}`),
		['create 1:1', 'create 1:2', 'create 2:1', 'create 2:2', 'create 2:4', 'create 2:11', 'create 5:2', 'create 5:12', 'reactivate 2:7', 'reactivate 2:8', 'reactivate 2:9', 'unchanged 1:3', 'unchanged 1:6', 'update 1:4', 'update 1:5'],
	);
	const details = plan.result!.details as {skipped: Record<string, {enrollments: number; samples: unknown[]}>};
	t.deepEqual(details.skipped, {
		user_id_missing: {enrollments: 3, samples: [{community_id: 1, enrollment_id: 15}, {community_id: 1, enrollment_id: 16}, {community_id: 2, enrollment_id: 16}]},
		user_not_found: {enrollments: 1, samples: [{community_id: 2, enrollment_id: 17}]},
		member_banned: {enrollments: 3, samples: details.skipped.member_banned!.samples},
	});
	const execute = await backfill(database, {batch: '5'});
	t.deepEqual(execute.metrics, plan.metrics);
	t.is(execute.drift, null);
});

testEachDialect('a second run writes nothing and reports every pair unchanged', async (t, database) => {
	await seeded(database);
	const first = await backfill(database);
	const rows = await memberRows(database.sql);
	const second = await backfill(database, {batch: '3'});
	t.not(second.runId, first.runId);
	t.deepEqual(second.metrics, unchangedMetrics);
	t.deepEqual(await memberRows(database.sql), rows);
	const undo = await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_undo WHERE run_id = ?', [second.runId]);
	t.is(Number(undo?.n), 0);
});

testEachDialect('a crash after batch 2 resumes to the same rows and metrics; other params refuse; --restart starts anew', async (t, database) => {
	const reference = await seeded(await createTestDatabase(database.sql.dialect));
	try {
		await seeded(database);
		const crash = await t.throwsAsync(backfill(database, {batch: '3'}, {crashAfterBatch: 2}), {message: /crash injected after batch 2/});
		const crashedRun = (crash as RunbookError).run.runId!;
		t.is(Number((await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_backfill_pairs'))!.n), 17, 'the work set stays until the run finishes');
		const committed = await database.sql.get<{batches: unknown; last: unknown}>('SELECT COUNT(*) AS batches, MAX(last_key) AS last FROM runbook_batches WHERE run_id = ?', [crashedRun]);
		t.deepEqual([Number(committed?.batches), Number(committed?.last)], [2, 6], '6 of 17 pairs done');

		const refused = await t.throwsAsync(backfill(database, {batch: '3', community: 'alpha'}), {instanceOf: UsageError});
		t.regex(refused!.message, new RegExp(`run ${crashedRun} used other parameters \\(community: null then, \\["alpha"\\] now\\)`));

		const resumed = await backfill(database, {batch: '5'});
		t.is(resumed.runId, crashedRun);
		t.true(resumed.resumed);
		t.deepEqual(resumed.metrics, expectedMetrics);
		const uninterrupted = await backfill(reference, {batch: '3'});
		t.deepEqual(uninterrupted.metrics, expectedMetrics);
		t.deepEqual(maskRunIds(await memberRows(database.sql)), maskRunIds(await memberRows(reference.sql)));
		t.deepEqual(await memberRows(database.sql), expectedRows(crashedRun));

		// Crash again, then --restart: a new run, the old one aborted; pairs finished by the old run count as unchanged.
		await t.throwsAsync(backfill(database, {batch: '1'}, {crashAfterBatch: 1}));
		const restarted = await backfill(database, {community: 'alpha'}, {options: {restart: true}});
		t.not(restarted.runId, crashedRun);
		t.deepEqual(restarted.metrics, {communities_processed: 1, communities_skipped: 0, enrollments_scanned: 12, members_created: 0, members_reactivated: 0, members_updated: 0, members_unchanged: 6, records_skipped: 3});
		const statuses = await database.sql.all<{status: string}>("SELECT status FROM runbook_runs WHERE job = 'backfill-membership' ORDER BY id");
		t.deepEqual(statuses.map(run => run.status), ['succeeded', 'aborted', 'succeeded']);
	} finally {
		await reference.destroy();
	}
});

testEachDialect('with a moving clock, the first process and the resume stamp the same instant: the run start as runbook_runs stores it', async (t, database) => {
	await seeded(database);
	// A real clock: every call later than the last, milliseconds included, crossing whole seconds.
	let calls = 0;
	const clock = () => new Date(Date.parse('2026-11-25T19:00:00.700Z') + 600 * calls++);
	const crash = await t.throwsAsync(backfill(database, {batch: '3'}, {clock, crashAfterBatch: 2}));
	const runId = (crash as RunbookError).run.runId!;
	await backfill(database, {batch: '3'}, {clock});
	const run = await database.sql.get<{started_at: string}>('SELECT started_at FROM runbook_runs WHERE run_id = ?', [runId]);
	const started = String(run!.started_at).slice(0, 19);
	const written = (await memberRows(database.sql)).filter(row => row.metadata?.includes(runId));
	t.is(written.length, 13, 'created, reactivated and updated members');
	const createdAt = new Set(written.filter(row => row.created_at !== old).map(row => row.created_at));
	t.deepEqual([...createdAt], [started], 'members created before and after the crash carry the stored start');
	const syncedAt = new Set(written.map(row => (JSON.parse(row.metadata!) as {backfill: {classrooms: {synced_at: string}}}).backfill.classrooms.synced_at));
	t.deepEqual([...syncedAt], [`${started.replace(' ', 'T')}Z`]);
});

testEachDialect('--community by id and by slug; unknown or soft-deleted → UsageError and nothing written', async (t, database) => {
	await seeded(database);
	const before = await digest(database.sql);
	for (const community of ['nope', 'delta', '4', 'alpha,missing']) {
		const error = await t.throwsAsync(backfill(database, {community}), {instanceOf: UsageError});
		t.regex(error!.message, /^Community \[(nope|delta|4|missing)\] was not found\.$/);
	}

	t.deepEqual(await digest(database.sql), before);

	const some = await backfill(database, {community: '2,Epsilon_Club'});
	t.deepEqual(some.params.community, ['2', 'epsilon-club']);
	t.deepEqual(some.metrics, {communities_processed: 2, communities_skipped: 0, enrollments_scanned: 13, members_created: 6, members_reactivated: 3, members_updated: 0, members_unchanged: 0, records_skipped: 4});
	const alpha = await backfill(database, {community: '1'});
	t.deepEqual(alpha.metrics, {communities_processed: 1, communities_skipped: 0, enrollments_scanned: 12, members_created: 2, members_reactivated: 0, members_updated: 2, members_unchanged: 2, records_skipped: 3});
	const gamma = await backfill(database, {community: 'GAMMA'});
	t.deepEqual(gamma.metrics, {communities_processed: 0, communities_skipped: 1, enrollments_scanned: 0, members_created: 0, members_reactivated: 0, members_updated: 0, members_unchanged: 0, records_skipped: 0});
});

testEachDialect('unreadable settings fail the prerequisites (exit 3) naming the community, nothing written', async (t, database) => {
	await seeded(database);
	const settings = database.sql.dialect === 'sqlite' ? 'not json {' : '{"v":1,"ciphertext":"eyJpdiI6..."}';
	await database.sql.run(`INSERT INTO communities (id, slug, name, settings, created_by, created_at, updated_at) VALUES (6, 'locked', 'Locked', ?, 1, ?, ?)`, [settings, old, old]);
	const before = await digest(database.sql);
	const platform = testPlatform({appKey: testAppKey});
	const error = await t.throwsAsync(backfill(database, {}, {platform}), {instanceOf: PrerequisiteFailed});
	t.regex(error!.message, /settings of community locked \(id 6\): settings cannot be read: (not JSON|cannot decrypt \(bad-payload\))/);
	t.deepEqual(await digest(database.sql), before);
	// Naming only readable communities works.
	const ok = await backfill(database, {community: 'alpha'}, {platform});
	t.is(ok.metrics.communities_processed, 1);
});

test('SQLite: a datetime-string entry_date is read as the platform\'s wall clock; an unparseable one counts as missing', async t => {
	const database = await createTestDatabase('sqlite');
	try {
		await seeded(database);
		// entry_date is unsigned unix seconds, but SQLite stores whatever the platform gave it.
		await database.sql.run(`UPDATE enrollments SET entry_date = '2023-07-08 09:10:11' WHERE id = 4`);
		await database.sql.run(`UPDATE enrollments SET entry_date = 'soon' WHERE id = 21`);
		await backfill(database, {}, {platform: testPlatform({zone: 'Asia/Dhaka'})});
		const rows = await database.sql.all<{community_id: number; user_id: number; joined_at: string}>('SELECT community_id, user_id, joined_at FROM community_members WHERE user_id = 2 ORDER BY community_id');
		t.deepEqual(rows.map(row => [Number(row.community_id), String(row.joined_at)]), [
			[1, '2023-07-08 09:10:11'],
			[2, '2023-07-08 09:10:11'],
			[5, old],
		]);
	} finally {
		await database.destroy();
	}
});

testEachDialect('settings [] and {} mean no links; encrypted member metadata is merged and written back encrypted', async (t, database) => {
	await seeded(database);
	const platform = testPlatform({appKey: testAppKey});
	await database.sql.run(`UPDATE communities SET settings = '[]' WHERE id = 3`);
	await database.sql.run(`UPDATE communities SET settings = '{}' WHERE id = 5`);
	await database.sql.run('UPDATE community_members SET metadata = ? WHERE id = 2', [writeJsonColumn({source: 'manual', tags: ['x/y']}, 'envelope', platform.keys)]);
	const outcome = await backfill(database, {}, {platform});
	t.like(outcome.metrics, {communities_processed: 2, communities_skipped: 2});
	const row = await database.sql.get<{metadata: string}>('SELECT metadata FROM community_members WHERE id = 2');
	t.regex(row!.metadata, /^\{"v":1,"ciphertext":"[A-Za-z0-9+\\/=]+"\}$/, 'still an envelope, as the platform writes it');
	const value = readJsonColumn(row!.metadata, platform.keys).value as {source: string; tags: string[]; backfill: {classrooms: {run_id: string}}};
	t.is(value.source, 'manual');
	t.deepEqual(value.tags, ['x/y']);
	t.is(value.backfill.classrooms.run_id, outcome.runId);
	const created = await database.sql.get<{metadata: string}>('SELECT metadata FROM community_members WHERE community_id = 1 AND user_id = 2');
	t.regex(created!.metadata, /^\{"v":1,"ciphertext":/, 'new members are written encrypted too: the database holds an envelope');
});
