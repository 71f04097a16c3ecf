import test from 'ava';
import {assumeNonConsecutiveIds, insertRows} from '../../source/db/bulk-insert.js';
import {rollbackJob} from '../../source/jobs/rollback.js';
import {runJob} from '../helpers/run-job.js';
import {wholeRowHash} from '../../source/engine/row-hash.js';
import {takeSnapshot} from '../../source/evidence/snapshot.js';
import {type TestDatabase, testEachDialect} from '../helpers/databases.js';
import {activities, type ActivityView, digestAll, runLegacyActivity, seedLegacyData, sha1} from './helpers/legacy-activity.js';

const runStart = '2025-10-30 00:00:00';

type Expected = [user: number, community: number | null, type: 'post' | 'comment' | 'completion', subject: number, keyText: string, occurredAt: string, context: string];

const post = (user: number, community: number, id: number, occurredAt: string, context: string): Expected => [user, community, 'post', id, `profile:community_post:${id}:${community}`, occurredAt, context];
const comment = (user: number, community: number, id: number, occurredAt: string, context: string): Expected => [user, community, 'comment', id, `profile:community_comment:${id}:${community}`, occurredAt, context];
const completion = (user: number, community: number | null, id: number, occurredAt: string, context: string): Expected => [user, community, 'completion', id, `profile:course_completion:${id}:${community ?? 'global'}`, occurredAt, context];

// Written by hand from the dataset in helpers/legacy-activity.ts, since = 2025-08-01 00:00:00.
const sinceRows: Expected[] = [
	post(1, 10, 1, '2025-08-02 10:00:00', '{"type":"text","visibility":"community"}'),
	post(2, 10, 2, '2025-08-03 12:00:00', '{"type":"image","visibility":"public"}'),
	post(3, 13, 7, '2025-09-01 00:00:00', '{"type":"video","visibility":"paid"}'),
	post(3, 11, 8, '2025-08-01 00:00:00', '{"type":"poll","visibility":"community"}'),
	post(2, 11, 10, '2025-08-01 00:00:00', '{"type":"link","visibility":"public"}'),
	post(1, 10, 11, '2025-07-15 00:00:00', '{"type":"text","visibility":"paid"}'),
	comment(2, 10, 1, '2025-08-04 08:00:00', '{"post_id":1}'),
	comment(1, 11, 4, '2025-08-01 00:00:00', '{"post_id":2}'),
	comment(2, 13, 6, '2025-09-02 00:00:00', '{"post_id":7}'),
	completion(1, 10, 1, '2025-08-10 00:00:00', '{"course_id":100,"certificate_identifier":"CERT-1","community_id":10}'),
	completion(1, 11, 1, '2025-08-10 00:00:00', '{"course_id":100,"certificate_identifier":"CERT-1","community_id":11}'),
	completion(2, null, 2, '2025-08-11 00:00:00', '{"course_id":103,"certificate_identifier":"CERT-2"}'),
	completion(3, null, 3, '2025-08-12 00:00:00', '{"course_id":102,"certificate_identifier":"CERT-3"}'),
	completion(1, null, 7, '2025-08-01 00:00:00', '{"course_id":null,"certificate_identifier":"CERT-7"}'),
];

// The rows only a run without --since adds: the ones before 2025-08-01.
const olderRows: Expected[] = [
	post(3, 11, 9, '2025-07-31 23:59:59', '{"type":"text","visibility":"community"}'),
	post(1, 10, 12, '2025-07-31 23:59:59', '{"type":"text","visibility":"community"}'),
	comment(1, 11, 5, '2025-07-31 23:59:59', '{"post_id":2}'),
	completion(2, 11, 6, '2025-07-31 23:59:59', '{"course_id":101,"certificate_identifier":"CERT-6","community_id":11}'),
];

const types = {
	post: ['community_post.published', 'community_post'],
	comment: ['community_comment.posted', 'community_comment'],
	completion: ['course.completed', 'certificate'],
} as const;

function view(rows: Expected[], stamp = runStart): ActivityView[] {
	return rows
		.map(([user, community, type, subject, keyText, occurredAt, context]) => ({
			user_id: user,
			community_id: community,
			activity_type: types[type][0],
			subject_type: types[type][1],
			subject_id: subject,
			idempotency_key: sha1(keyText),
			occurred_at: occurredAt,
			context,
			created_at: stamp,
			updated_at: stamp,
		}))
		.sort((a, b) => (a.idempotency_key < b.idempotency_key ? -1 : 1));
}

const sinceMetrics = {
	posts_processed: 9,
	comments_processed: 5,
	completions_processed: 6,
	records_created: 14,
	records_updated: 0,
	records_unchanged: 0,
	records_duplicate: 0,
	records_skipped: 7,
};

testEachDialect('migrates exactly the rows of DESIGN.md §3.3 with --since=2025-08-01', async (t, database) => {
	await seedLegacyData(database.sql);
	const outcome = await runLegacyActivity(database, {since: '2025-08-01'});
	t.is(outcome.status, 'succeeded');
	t.deepEqual(outcome.metrics, sinceMetrics);
	t.deepEqual(await activities(database.sql), view(sinceRows));
	t.is(outcome.result?.details?.since, '2025-08-01T00:00:00Z');

	// Keys are SHA-1 hex of the documented text (checked against literals computed with sha1sum).
	const keys = new Set((await activities(database.sql)).map(row => row.idempotency_key));
	t.true(keys.has('5aefe12e8b6d4b11e70bfbddb3d9a413afb0ab34')); // profile:community_post:1:10
	t.true(keys.has('15812d49ad06cf8019d18522e54e17c21f64bcb6')); // profile:course_completion:1:10
	t.true(keys.has('13d3deb6f488640e17f3fcf7525940bba6b5ad7c')); // profile:course_completion:2:global

	// One insert undo row per activity, whose after_hash is the hash of the row as the database returns it.
	const undo = await database.sql.all<{row_id: unknown; action: string; after_hash: string}>('SELECT row_id, action, after_hash FROM runbook_undo WHERE run_id = ?', [outcome.runId]);
	t.is(undo.length, 14);
	t.true(undo.every(row => row.action === 'insert'));
	const stored = await database.sql.all<Record<string, unknown>>('SELECT * FROM profile_activities');
	const hashById = new Map(stored.map(row => [Number(row.id), wholeRowHash(row)]));
	t.deepEqual(
		undo.map(row => row.after_hash).sort(),
		undo.map(row => hashById.get(Number(row.row_id))).sort(),
	);
});

testEachDialect('without --since every non-deleted row is migrated', async (t, database) => {
	await seedLegacyData(database.sql);
	const outcome = await runLegacyActivity(database, {});
	t.deepEqual(outcome.metrics, {
		posts_processed: 11,
		comments_processed: 6,
		completions_processed: 7,
		records_created: 18,
		records_updated: 0,
		records_unchanged: 0,
		records_duplicate: 0,
		records_skipped: 7,
	});
	t.deepEqual(await activities(database.sql), view([...sinceRows, ...olderRows]));
	t.is(outcome.result?.details?.since, null);
});

testEachDialect('an identical existing activity is left alone, a different one is updated with an undo row', async (t, database) => {
	await seedLegacyData(database.sql);
	const columns = ['user_id', 'community_id', 'activity_type', 'subject_type', 'subject_id', 'idempotency_key', 'occurred_at', 'context', 'created_at', 'updated_at'];
	await insertRows(database.sql, 'profile_activities', columns, [
		// Post 1 as the migration would write it, context spelled with another key order and spacing.
		[1, 10, 'community_post.published', 'community_post', 1, sha1('profile:community_post:1:10'), '2025-08-02 10:00:00', '{"visibility": "community", "type": "text"}', '2025-09-01 00:00:00', '2025-09-01 00:00:00'],
		// Post 2 with another occurred_at.
		[2, 10, 'community_post.published', 'community_post', 2, sha1('profile:community_post:2:10'), '2025-08-03 12:30:00', '{"type":"image","visibility":"public"}', '2025-09-01 00:00:00', '2025-09-01 00:00:00'],
		// Something the platform wrote itself.
		[3, null, 'profile.updated', 'user', 3, 'platform-key-1', '2025-09-03 00:00:00', null, '2025-09-03 00:00:00', '2025-09-03 00:00:00'],
	]);
	const outcome = await runLegacyActivity(database, {since: '2025-08-01'});
	t.deepEqual(outcome.metrics, {...sinceMetrics, records_created: 12, records_updated: 1, records_unchanged: 1});

	const rows = await activities(database.sql);
	const expected = view(sinceRows).map(row => {
		if (row.idempotency_key === sha1('profile:community_post:1:10')) {
			return {...row, context: '{"visibility": "community", "type": "text"}', created_at: '2025-09-01 00:00:00', updated_at: '2025-09-01 00:00:00'};
		}

		if (row.idempotency_key === sha1('profile:community_post:2:10')) {
			return {...row, created_at: '2025-09-01 00:00:00'};
		}

		return row;
	});
	const platformRow: ActivityView = {user_id: 3, community_id: null, activity_type: 'profile.updated', subject_type: 'user', subject_id: 3, idempotency_key: 'platform-key-1', occurred_at: '2025-09-03 00:00:00', context: 'null', created_at: '2025-09-03 00:00:00', updated_at: '2025-09-03 00:00:00'};
	t.deepEqual(rows, [...expected, platformRow].sort((a, b) => (a.idempotency_key < b.idempotency_key ? -1 : 1)));

	const updates = await database.sql.all<{row_id: unknown; before: string}>("SELECT row_id, `before` FROM runbook_undo WHERE run_id = ? AND action = 'update'", [outcome.runId]);
	t.is(updates.length, 1);
	t.is(Number(updates[0]!.row_id), 2);
	t.deepEqual(JSON.parse(updates[0]!.before), {
		user_id: 2,
		community_id: 10,
		activity_type: 'community_post.published',
		subject_type: 'community_post',
		subject_id: 2,
		idempotency_key: sha1('profile:community_post:2:10'),
		occurred_at: '2025-08-03 12:30:00',
		context: '{"type":"image","visibility":"public"}',
		updated_at: '2025-09-01 00:00:00',
	});
});

testEachDialect('--chunk=1, 7 and 100000 give the same metrics and the same final table', async (t, database) => {
	await seedLegacyData(database.sql);
	const results = [];
	for (const chunk of ['1', '7', '100000']) {
		await database.sql.run('DELETE FROM profile_activities');
		const outcome = await runLegacyActivity(database, {since: '2025-08-01', chunk}, {restart: true});
		results.push({metrics: outcome.metrics, rows: await activities(database.sql), batches: outcome.result?.batches?.length});
	}

	for (const result of results) {
		t.deepEqual(result.metrics, sinceMetrics);
		t.deepEqual(result.rows, view(sinceRows));
	}

	// Chunk 1: 9 posts (+1 empty batch: post 11 is below the bound 12), 5 comments and 6 certificates (their last
	// rows sit at the bound). Chunk 7: posts 1..8 then 10, 11; comments and certificates in one batch each.
	t.deepEqual(results.map(result => result.batches), [21, 4, 3]);
});

testEachDialect('the dry run writes nothing and predicts the execution exactly', async (t, database) => {
	await seedLegacyData(database.sql);
	await insertRows(database.sql, 'profile_activities', ['user_id', 'community_id', 'activity_type', 'subject_type', 'subject_id', 'idempotency_key', 'occurred_at', 'context', 'created_at', 'updated_at'], [
		[2, 10, 'community_post.published', 'community_post', 2, sha1('profile:community_post:2:10'), '2025-08-03 12:30:00', '{"type":"image","visibility":"public"}', '2025-09-01 00:00:00', '2025-09-01 00:00:00'],
	]);
	const before = await digestAll(database.sql);
	const plan = await runLegacyActivity(database, {since: '2025-08-01', chunk: '3'}, {mode: 'dry-run'});
	t.deepEqual(await digestAll(database.sql), before);
	t.deepEqual(plan.metrics, {...sinceMetrics, records_created: 13, records_updated: 1});

	const execution = await runLegacyActivity(database, {since: '2025-08-01', chunk: '5'});
	t.deepEqual(execution.metrics, plan.metrics);
});

testEachDialect('a second run writes nothing: created 0, updated 0', async (t, database) => {
	await seedLegacyData(database.sql);
	await runLegacyActivity(database, {since: '2025-08-01'});
	const first = await activities(database.sql);
	const second = await runLegacyActivity(database, {since: '2025-08-01'}, {now: '2025-10-31T00:00:00Z'});
	t.deepEqual(second.metrics, {...sinceMetrics, records_created: 0, records_unchanged: 14});
	t.deepEqual(await activities(database.sql), first);
	const undo = await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_undo WHERE run_id = ?', [second.runId]);
	t.is(Number(undo?.n), 0);
});

testEachDialect('a crash after batch 4 then a resume a week later ends exactly like an uninterrupted run', async (t, database) => {
	await seedLegacyData(database.sql);
	const error = await t.throwsAsync(runLegacyActivity(database, {since: '-90 days', chunk: '2'}, {crashAfterBatch: 4}));
	t.regex(error.message, /crash injected after batch 4/);
	const partial = await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM profile_activities');
	t.is(Number(partial?.n), 5); // batches: posts 1,2 | 4,5 | 6,7 | 8,10 → 1, 2, 7, 8, 10 migrated (4, 5, 6 skipped)

	const saved = await database.sql.get<{state: string}>('SELECT state FROM runbook_runs WHERE job = ?', ['migrate-legacy-activity']);
	t.is(JSON.parse(saved!.state).since, '2025-08-01T00:00:00Z');

	// Resumed later with another chunk size: the saved since (2025-08-01, from the original start) is used.
	const resumed = await runLegacyActivity(database, {since: '-90 days', chunk: '3'}, {now: '2025-11-06T00:00:00Z'});
	t.true(resumed.resumed);
	t.is(resumed.result?.details?.since, '2025-08-01T00:00:00Z');
	t.deepEqual(resumed.metrics, sinceMetrics);
	t.deepEqual(await activities(database.sql), view(sinceRows));
	const undo = await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_undo WHERE run_id = ?', [resumed.runId]);
	t.is(Number(undo?.n), 14);
});

testEachDialect('a relative --since is resolved against the run start and recorded as an absolute UTC time', async (t, database) => {
	await seedLegacyData(database.sql);
	// 2025-11-01 12:00:00 minus 3 months → 2025-08-01 12:00:00: post 1 (published 08-02) is in, post 8 (08-01 00:00) is out.
	const outcome = await runLegacyActivity(database, {since: '3 months ago'}, {now: '2025-11-01T12:00:00Z', mode: 'dry-run'});
	t.is(outcome.result?.details?.since, '2025-08-01T12:00:00Z');
	t.is(outcome.metrics.posts_processed, 7); // 1, 2, 4, 5, 6, 7, 11
});

test('semantic params are the --since text, never the chunk', async t => {
	const {migrateLegacyActivity} = await import('../../source/jobs/migrate-legacy-activity.js');
	const params = migrateLegacyActivity.parameters.parse({since: '-90 days', chunk: '7'});
	t.deepEqual(migrateLegacyActivity.semanticParams(params), {since: '-90 days'});
	t.deepEqual(migrateLegacyActivity.semanticParams(migrateLegacyActivity.parameters.parse({})), {since: null});
	t.is(migrateLegacyActivity.parameters.parse({}).chunk, 500);
});

async function rollBack(database: TestDatabase, runId: string) {
	return runJob(database, rollbackJob, {run: runId}, {mode: 'rollback', now: '2025-10-30T01:00:00Z'});
}

testEachDialect('run + rollback gives back profile_activities exactly, without conflicts (after_hash matches what was written)', async (t, database) => {
	await seedLegacyData(database.sql);
	await insertRows(database.sql, 'profile_activities', ['user_id', 'community_id', 'activity_type', 'subject_type', 'subject_id', 'idempotency_key', 'occurred_at', 'context', 'created_at', 'updated_at'], [
		[2, 10, 'community_post.published', 'community_post', 2, sha1('profile:community_post:2:10'), '2025-08-03 12:30:00', '{"type": "image", "visibility": "public"}', '2025-09-01 00:00:00', '2025-09-01 00:00:00'],
	]);
	const [before] = await takeSnapshot(database.sql, ['profile_activities']);
	const outcome = await runLegacyActivity(database, {since: '2025-08-01', chunk: '4'});
	t.is(outcome.metrics.records_updated, 1);
	const result = await rollBack(database, outcome.runId);
	t.is(result.metrics.conflicts, 0);
	t.is(result.metrics.rows_deleted, 13);
	t.is(result.metrics.rows_restored, 1);
	t.deepEqual((await takeSnapshot(database.sql, ['profile_activities']))[0], before);
});

testEachDialect('on a server without consecutive insert ids the ids are looked up, and rollback still gives the table back', async (t, database) => {
	assumeNonConsecutiveIds(database.orm);
	await seedLegacyData(database.sql);
	const [before] = await takeSnapshot(database.sql, ['profile_activities']);
	const outcome = await runLegacyActivity(database, {since: '2025-08-01', chunk: '4'});
	t.is(outcome.metrics.records_created, 14);
	const result = await rollBack(database, outcome.runId);
	t.is(result.metrics.conflicts, 0);
	t.is(result.metrics.rows_deleted, 14);
	t.deepEqual((await takeSnapshot(database.sql, ['profile_activities']))[0], before);
});

testEachDialect('a source row without any timestamp is skipped but still processed', async (t, database) => {
	await seedLegacyData(database.sql);
	await database.sql.run("INSERT INTO community_posts (id, community_id, author_id, type, visibility, published_at, created_at) VALUES (20, 10, 1, 'text', 'community', NULL, NULL)");
	await database.sql.run("INSERT INTO community_post_comments (id, community_id, post_id, author_id, body_md, created_at) VALUES (20, 10, 1, 1, 'Comment 20', NULL)");
	await database.sql.run("INSERT INTO certificates (id, user_id, course_id, identifier, created_at) VALUES (20, 1, 100, 'CERT-20', NULL)");
	const outcome = await runLegacyActivity(database, {});
	t.deepEqual(outcome.metrics, {
		posts_processed: 12,
		comments_processed: 7,
		completions_processed: 8,
		records_created: 18,
		records_updated: 0,
		records_unchanged: 0,
		records_duplicate: 0,
		records_skipped: 10,
	});
	t.deepEqual(await activities(database.sql), view([...sinceRows, ...olderRows]));
});

testEachDialect('an unfinished run resumes only with the same --since; another one is a usage error naming it', async (t, database) => {
	await seedLegacyData(database.sql);
	await t.throwsAsync(runLegacyActivity(database, {since: '2025-08-01', chunk: '2'}, {crashAfterBatch: 2}));
	const refused = await t.throwsAsync(runLegacyActivity(database, {since: '2025-09-01', chunk: '2'}));
	t.is((refused as {exitCode?: number}).exitCode, 2);
	t.regex(refused.message, /since: "2025-08-01" then, "2025-09-01" now/);
	// A different chunk size is not a different run.
	const resumed = await runLegacyActivity(database, {since: '2025-08-01', chunk: '100'});
	t.true(resumed.resumed);
	t.deepEqual(resumed.metrics, sinceMetrics);
});

testEachDialect('Ctrl-C stops a dry run before its next batch (exit 130), still writing nothing', async (t, database) => {
	await seedLegacyData(database.sql);
	const before = await digestAll(database.sql);
	const controller = new AbortController();
	controller.abort();
	const error = await t.throwsAsync(runLegacyActivity(database, {since: '2025-08-01'}, {mode: 'dry-run', signal: controller.signal}));
	t.is((error as {exitCode?: number}).exitCode, 130);
	t.deepEqual(await digestAll(database.sql), before);
});

// Issue 14: the platform writes its own feed rows (UUID keys, its own types) for new posts, comments and completions.
const feedColumns = ['user_id', 'community_id', 'activity_type', 'subject_type', 'subject_id', 'idempotency_key', 'occurred_at', 'context', 'created_at', 'updated_at'];
const platformKey = (n: number) => `0b9e6a51-6c1f-4d5e-9a53-2f1d3c0e7a${String(n).padStart(2, '0')}`;
const feedRowId = async (database: TestDatabase, key: string) => Number((await database.sql.get<{id: unknown}>('SELECT id FROM profile_activities WHERE idempotency_key = ?', [key]))!.id);

testEachDialect('a comment the platform already put in the feed under its own key is not migrated again (records_duplicate)', async (t, database) => {
	await seedLegacyData(database.sql);
	// Comment 1 (user 2, alpha) as the platform wrote it when the comment was posted.
	await insertRows(database.sql, 'profile_activities', feedColumns, [[2, 10, 'community_comment.created', 'community_comment', 1, platformKey(1), '2025-08-04 08:00:00', '{"post_id":1}', '2025-08-04 08:00:00', '2025-08-04 08:00:00']]);
	const platformRowId = await feedRowId(database, platformKey(1));
	const expectedMetrics = {...sinceMetrics, records_created: 13, records_duplicate: 1};

	const before = await digestAll(database.sql);
	const plan = await runLegacyActivity(database, {since: '2025-08-01', chunk: '2'}, {mode: 'dry-run'});
	t.deepEqual(await digestAll(database.sql), before);
	t.deepEqual(plan.metrics, expectedMetrics);

	const outcome = await runLegacyActivity(database, {since: '2025-08-01'});
	t.deepEqual(outcome.metrics, expectedMetrics);
	const ours = sha1('profile:community_comment:1:10');
	const rows = await activities(database.sql);
	t.is(rows.length, 14, '13 migrated + the platform row');
	t.false(rows.some(row => row.idempotency_key === ours));
	t.deepEqual(
		rows.filter(row => row.subject_type === 'community_comment' && row.subject_id === 1).map(row => [row.user_id, row.activity_type, row.idempotency_key]),
		[[2, 'community_comment.created', platformKey(1)]],
	);
	const listed = {subject_type: 'community_comment', subject_id: 1, user_id: 2, community_id: 10, idempotency_key: ours, existing: {id: platformRowId, idempotency_key: platformKey(1), activity_type: 'community_comment.created', community_id: 10}};
	t.deepEqual(outcome.result?.details?.duplicates, [listed]);
	t.deepEqual(plan.result?.details?.duplicates, [listed]);
	t.true(outcome.result?.samples?.some(sample => (sample as {kind: string}).kind === 'duplicate'));
	const statements = (outcome.evidence.steps[0]!.sql as Array<{statement: string; parameters: unknown[]}>).filter(entry => entry.statement.includes('WHERE subject_type = ? AND subject_id IN'));
	// The evidence keeps each statement shape once (here: the one batch of posts, 4, 5, 6 skipped), not one per batch.
	t.deepEqual(
		statements.map(entry => [entry.statement, entry.parameters]),
		[['SELECT id, user_id, community_id, activity_type, subject_id, idempotency_key FROM profile_activities WHERE subject_type = ? AND subject_id IN (?, … 6 keys) ORDER BY id', ['community_post', 1, 2, 7, 8, 10, 11]]],
	);

	const second = await runLegacyActivity(database, {since: '2025-08-01'}, {now: '2025-10-31T00:00:00Z'});
	t.deepEqual(second.metrics, {...sinceMetrics, records_created: 0, records_unchanged: 13, records_duplicate: 1});
	t.deepEqual(await activities(database.sql), rows);
});

testEachDialect('a completion the platform wrote for the same certificate and community is a duplicate; another community is not', async (t, database) => {
	await seedLegacyData(database.sql);
	await insertRows(database.sql, 'profile_activities', feedColumns, [
		// Certificate 1 (user 1) yields alpha (10) and beta (11): the platform already shows it in alpha.
		[1, 10, 'course.completed', 'certificate', 1, platformKey(2), '2025-08-10 00:00:00', null, '2025-08-10 00:00:00', '2025-08-10 00:00:00'],
		// Certificate 2 (user 2) yields one global row (community NULL): the platform's row is in beta.
		[2, 11, 'course.completed', 'certificate', 2, platformKey(3), '2025-08-11 00:00:00', null, '2025-08-11 00:00:00', '2025-08-11 00:00:00'],
	]);
	const outcome = await runLegacyActivity(database, {since: '2025-08-01', chunk: '1'});
	t.deepEqual(outcome.metrics, {...sinceMetrics, records_created: 13, records_duplicate: 1});
	const keys = new Set((await activities(database.sql)).map(row => row.idempotency_key));
	t.false(keys.has(sha1('profile:course_completion:1:10')));
	t.true(keys.has(sha1('profile:course_completion:1:11')));
	t.true(keys.has(sha1('profile:course_completion:2:global')));
	t.deepEqual(
		(outcome.result?.details?.duplicates as Array<{subject_id: number; community_id: number | null; existing: {idempotency_key: string}}>).map(entry => [entry.subject_id, entry.community_id, entry.existing.idempotency_key]),
		[[1, 10, platformKey(2)]],
	);
});

testEachDialect('the same subject in the feed of another user is not a duplicate: migrated', async (t, database) => {
	await seedLegacyData(database.sql);
	await insertRows(database.sql, 'profile_activities', feedColumns, [
		// Comment 4 is user 1's; post 8 is user 3's. Rows of other users about them (e.g. a reply notice) do not count.
		[3, 11, 'community_comment.created', 'community_comment', 4, platformKey(4), '2025-08-01 00:00:00', null, '2025-08-01 00:00:00', '2025-08-01 00:00:00'],
		[1, 11, 'community_post.created', 'community_post', 8, platformKey(5), '2025-08-01 00:00:00', null, '2025-08-01 00:00:00', '2025-08-01 00:00:00'],
		// And a row of the right user about another subject type with the same id.
		[1, 11, 'community_post.created', 'community_post', 4, platformKey(6), '2025-08-01 00:00:00', null, '2025-08-01 00:00:00', '2025-08-01 00:00:00'],
	]);
	const outcome = await runLegacyActivity(database, {since: '2025-08-01'});
	t.deepEqual(outcome.metrics, sinceMetrics);
	const keys = new Set((await activities(database.sql)).map(row => row.idempotency_key));
	t.true(keys.has(sha1('profile:community_comment:4:11')));
	t.true(keys.has(sha1('profile:community_post:8:11')));
	t.deepEqual(outcome.result?.details?.duplicates, []);
});

testEachDialect('for posts and comments the subject is the id alone: the platform\'s row in another (or no) community is a duplicate', async (t, database) => {
	await seedLegacyData(database.sql);
	// Post 1 (user 1) is in alpha (10); the platform's row for it carries no community.
	await insertRows(database.sql, 'profile_activities', feedColumns, [[1, null, 'community_post.created', 'community_post', 1, platformKey(7), '2025-08-02 10:00:00', null, '2025-08-02 10:00:00', '2025-08-02 10:00:00']]);
	const outcome = await runLegacyActivity(database, {since: '2025-08-01'});
	t.deepEqual(outcome.metrics, {...sinceMetrics, records_created: 13, records_duplicate: 1});
	t.false((await activities(database.sql)).some(row => row.idempotency_key === sha1('profile:community_post:1:10')));
});

testEachDialect('a row under our own key keeps the key logic even when the platform shows the subject too', async (t, database) => {
	await seedLegacyData(database.sql);
	await runLegacyActivity(database, {since: '2025-08-01'});
	// After the migration the platform writes its own row for comment 1 (user 2): our row exists, so it stays unchanged
	// (verify reports the pair as a feed duplicate).
	await insertRows(database.sql, 'profile_activities', feedColumns, [[2, 10, 'community_comment.created', 'community_comment', 1, platformKey(8), '2025-08-04 08:00:00', null, '2025-08-04 08:00:00', '2025-08-04 08:00:00']]);
	const second = await runLegacyActivity(database, {since: '2025-08-01'}, {now: '2025-10-31T00:00:00Z'});
	t.deepEqual(second.metrics, {...sinceMetrics, records_created: 0, records_unchanged: 14, records_duplicate: 0});
});
