import {once} from 'node:events';
import {writeFileSync} from 'node:fs';
import {createServer} from 'node:http';
import {join} from 'node:path';
import test from 'ava';
import {backfillMembership} from '../../source/jobs/backfill-membership.js';
import {migrateLegacyActivity} from '../../source/jobs/migrate-legacy-activity.js';
import {verify, type VerificationChecks} from '../../source/jobs/verify.js';
import {VerificationFailed} from '../../source/core/errors.js';
import {testEachDialect, type TestDatabase} from '../helpers/databases.js';
import {createAppRoot, writeFlags} from '../helpers/profile-feed.js';
import {runJob} from '../helpers/run-job.js';
import {seedVerifyDataset} from './helpers/verify-dataset.js';
import {sha1} from './helpers/legacy-activity.js';

async function migrated(database: TestDatabase): Promise<{appRoot: string; backfillRun: string; migrateRun: string}> {
	await seedVerifyDataset(database.sql);
	const backfill = await runJob(database, backfillMembership, {source: 'classrooms'});
	const migrate = await runJob(database, migrateLegacyActivity, {});
	return {appRoot: createAppRoot(), backfillRun: backfill.runId, migrateRun: migrate.runId};
}

const checksOf = (outcome: {result: {details?: Record<string, unknown>} | null}) => (outcome.result!.details as {checks: VerificationChecks}).checks;
const tokenCount = async (database: TestDatabase) => Number((await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM personal_access_tokens'))!.n);

testEachDialect('passes on a correct backfill + migration with the flag off (API gate 404 / 401), token minted and deleted', async (t, database) => {
	const {appRoot, backfillRun, migrateRun} = await migrated(database);
	const outcome = await runJob(database, verify, {}, {appRoot});
	t.deepEqual(outcome.metrics, {api_gate_passed: 1, flag_on: 0, spot_checks_passed: 6, spot_checks_failed: 0, feed_duplicates: 0, users_sampled: 6, differences: 0});
	const checks = checksOf(outcome);
	t.deepEqual((outcome.result!.details as {runs: unknown}).runs, {backfill: backfillRun, migrate: migrateRun});
	t.deepEqual(checks.reconciliation.user_ids, [1, 2, 3, 4, 5, 6], 'users with linked enrollments or legacy activity; 7 has neither');
	t.is(checks.reconciliation.memberships_expected, 5);
	t.is(checks.reconciliation.activities_expected, 5);
	const members = checks.spot_check.checks[0]!;
	t.deepEqual({expected: members.expected, found: members.found, details: members.details}, {expected: 4, found: 4, details: {run_id: backfillRun, per_community: {1: {stamped: 2, written_by_run: 2}, 2: {stamped: 2, written_by_run: 2}}, communities_differing: [], encrypted_rows_decrypted: 0}});
	t.deepEqual(
		checks.spot_check.checks.slice(1).map(check => [check.name, check.expected, check.found]),
		[
			['activities community_post.published', 2, 2],
			['activities community_comment.posted', 1, 1],
			['activities course.completed', 2, 2],
			['activities total', 5, 5],
			['feed duplicates', 0, 0],
		],
	);
	t.deepEqual(checks.spot_check.checks.at(-1)!.details, {duplicates: [], listed: 0});
	t.deepEqual(checks.spot_check.table_counts, {'community_comment.posted': 1, 'community_post.published': 2, 'course.completed': 2});
	if ('skipped' in checks.gate) {
		t.fail('the gate ran');
		return;
	}

	t.deepEqual(checks.gate.checks.map(check => [check.name, check.passed]), [['without a token', true], ['flag off', true]]);
	t.is(checks.gate.user_id, 1, 'the first sampled user with activity');
	t.deepEqual(checks.gate.api.minted_personal_access_token, {row_id: 1, user_id: 1, name: 'community-runbook verify'});
	t.deepEqual(checks.gate.api.revoked_personal_access_token, {row_id: 1});
	t.is(await tokenCount(database), 0);
	const sql = outcome.evidence.steps[0]!.sql as Array<{statement: string}>;
	t.true(sql.some(entry => entry.statement.includes("JSON_EXTRACT(metadata, '$.backfill.classrooms.idempotency_key') IS NOT NULL")));
	t.true(sql.some(entry => entry.statement.startsWith('DELETE FROM personal_access_tokens')));
});

testEachDialect('with the flag on the gate expects 200 and the user\'s newest rows', async (t, database) => {
	const {appRoot} = await migrated(database);
	writeFlags(appRoot, {community_profile_activity: true});
	const outcome = await runJob(database, verify, {sample: '3', seed: '7'}, {appRoot});
	t.is(outcome.metrics.api_gate_passed, 1);
	t.is(outcome.metrics.flag_on, 1);
	t.is(outcome.metrics.users_sampled, 3);
	const {gate} = checksOf(outcome);
	if ('skipped' in gate) {
		t.fail('the gate ran');
		return;
	}

	t.deepEqual(gate.checks.map(check => check.name), ['without a token', 'flag on: envelope', 'flag on: newest first', 'flag on: first page']);
	t.regex(gate.checks[3]!.detail, /equal user \d+'s newest profile_activities rows/);
});

testEachDialect('the env override wins: APP_FEATURE_FLAGS=false with the file on expects 404', async (t, database) => {
	const {appRoot} = await migrated(database);
	writeFlags(appRoot, {community_profile_activity: true});
	const outcome = await runJob(database, verify, {}, {appRoot, env: {APP_FEATURE_FLAGS: '{"community_profile_activity":false}'}});
	t.is(outcome.metrics.flag_on, 0);
	t.is(outcome.metrics.api_gate_passed, 1);
});

testEachDialect('fails naming the user and the difference after a member row is corrupted', async (t, database) => {
	const {appRoot} = await migrated(database);
	await database.sql.run("UPDATE community_members SET role = 'member' WHERE community_id = 1 AND user_id = 1");
	await database.sql.run('DELETE FROM community_members WHERE community_id = 1 AND user_id = 3');
	const error = await t.throwsAsync(runJob(database, verify, {}, {appRoot}), {instanceOf: VerificationFailed});
	t.is(error.exitCode, 4);
	t.regex(error.message, /user 1 community 1 member_role_lower \(expected "admin or higher", found "member"\)/);
	t.regex(error.message, /user 3 community 1 member_missing/);
	t.regex(error.message, /spot check "backfill members stamped by the run": expected 4, found 3/);
	const result = (error as unknown as {result: {metrics: Record<string, number>; details: {checks: VerificationChecks}}}).result;
	t.deepEqual(result.metrics, {api_gate_passed: 1, flag_on: 0, spot_checks_passed: 5, spot_checks_failed: 1, feed_duplicates: 0, users_sampled: 6, differences: 2});
	t.deepEqual(
		result.details.checks.reconciliation.differences.map(difference => [difference.user_id, difference.community_id, difference.kind]),
		[
			[1, 1, 'member_role_lower'],
			[3, 1, 'member_missing'],
		],
	);
	t.deepEqual(result.details.checks.reconciliation.differences[1]!.expected, {role: 'member', status: 'active', joined_at: '2024-02-01 00:00:00'});
	t.is(await tokenCount(database), 0, 'the minted token is deleted on failure too');
	const run = await database.sql.get<{status: string; metrics: string}>("SELECT status, metrics FROM runbook_runs WHERE job = 'verify'");
	t.is(run!.status, 'failed');
	t.deepEqual(JSON.parse(run!.metrics), result.metrics);
});

testEachDialect('fails on a missing or altered activity row', async (t, database) => {
	const {appRoot} = await migrated(database);
	await database.sql.run("DELETE FROM profile_activities WHERE activity_type = 'community_comment.posted'");
	await database.sql.run("UPDATE profile_activities SET occurred_at = '2026-10-09 00:00:00' WHERE activity_type = 'community_post.published' AND subject_id = 2");
	const error = await t.throwsAsync(runJob(database, verify, {}, {appRoot}), {instanceOf: VerificationFailed});
	const result = (error as unknown as {result: {details: {checks: VerificationChecks}}}).result;
	t.deepEqual(
		result.details.checks.reconciliation.differences.map(difference => [difference.user_id, difference.community_id, difference.kind, difference.found]),
		[
			[2, 1, 'activity_missing', null],
			[5, 2, 'activity_differs', {occurred_at: '2026-10-09 00:00:00'}],
		],
	);
	t.regex(error.message, /spot check "activities community_comment.posted": expected 1, found 0/);
});

testEachDialect('without succeeded runs there is nothing to verify (exit 3)', async (t, database) => {
	await seedVerifyDataset(database.sql);
	const error = await t.throwsAsync(runJob(database, verify, {}, {appRoot: createAppRoot()}));
	t.is((error as {exitCode?: number}).exitCode, 3);
	t.regex(error!.message, /no succeeded backfill-membership run in runbook_runs; .*no succeeded migrate-legacy-activity run/);
});

testEachDialect('the production profile needs --api-url and --token (exit 3)', async (t, database) => {
	const {appRoot} = await migrated(database);
	const error = await t.throwsAsync(runJob(database, verify, {}, {appRoot, profile: 'production'}));
	t.is((error as {exitCode?: number}).exitCode, 3);
	t.regex(error!.message, /production profile needs --api-url \(or RUNBOOK_API_URL\) and --token/);
});

testEachDialect('the flags file says true and the rollout percentage 0: the flag is on, and the gate expects the feed', async (t, database) => {
	const {appRoot} = await migrated(database);
	writeFileSync(join(appRoot, 'storage', 'app', 'feature-flags.json'), '{"community_profile_activity": true}');
	writeFileSync(join(appRoot, 'storage', 'app', 'feature-rollouts.json'), '{"community_profile_activity": {"percentage": 0}}');
	const outcome = await runJob(database, verify, {}, {appRoot});
	t.is(outcome.metrics.flag_on, 1, 'the rollout percentage is metadata, the flags file decides');
	t.is(outcome.metrics.api_gate_passed, 1);
});

test('params: --sample and --seed are validated', t => {
	for (const sample of ['0', '10001', 'ten', '1.5']) {
		const parsed = verify.parameters.safeParse({sample});
		t.false(parsed.success);
		t.regex(parsed.error!.issues[0]!.message, /--sample must be an integer 1\.\.10000/);
	}

	t.regex(verify.parameters.safeParse({apiUrl: 'ftp://x'}).error!.issues[0]!.message, /--api-url must be an http\(s\) URL/);
	t.deepEqual(verify.parameters.parse({}), {sample: 50, seed: 1});
});

testEachDialect('an API that serves the feed while the flag is off fails the gate', async (t, database) => {
	const {appRoot} = await migrated(database);
	const server = createServer((_request, response) => {
		response.writeHead(200, {'content-type': 'application/json'});
		response.end(JSON.stringify({data: [], meta: {pagination: {type: 'cursor', per_page: 25, has_more: false, count: 0}, status: 200}}));
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	try {
		const port = (server.address() as {port: number}).port;
		const error = await t.throwsAsync(runJob(database, verify, {apiUrl: `http://127.0.0.1:${port}`, token: '1|someTokenThatIsLongEnough0123456789'}, {appRoot}), {instanceOf: VerificationFailed});
		t.regex(error.message, /API gate \(flag off\): without a token: expected 401, got HTTP 200; flag off: expected 404 "Feature not available.", got HTTP 200/);
		const result = (error as unknown as {result: {metrics: Record<string, number>}}).result;
		t.is(result.metrics.api_gate_passed, 0);
		t.is(result.metrics.differences, 0);
	} finally {
		server.close();
	}
});

testEachDialect('the per-community spot check catches stamps moved between communities even when the total matches', async (t, database) => {
	const {appRoot} = await migrated(database);
	const stamped = await database.sql.get<{metadata: string}>('SELECT metadata FROM community_members WHERE community_id = 1 AND user_id = 1');
	await database.sql.run('UPDATE community_members SET metadata = ? WHERE community_id = 1 AND user_id = 4', [stamped!.metadata]);
	await database.sql.run("UPDATE community_members SET metadata = '{}' WHERE community_id = 2 AND user_id = 2");
	const error = await t.throwsAsync(runJob(database, verify, {}, {appRoot}), {instanceOf: VerificationFailed});
	const result = (error as unknown as {result: {details: {checks: VerificationChecks}}}).result;
	const members = result.details.checks.spot_check.checks[0]!;
	t.is(members.found, 4);
	t.is(members.expected, 4);
	t.false(members.passed);
	t.deepEqual(members.details!.per_community, {1: {stamped: 3, written_by_run: 2}, 2: {stamped: 1, written_by_run: 2}});
	t.deepEqual(members.details!.communities_differing, [1, 2]);
	t.regex(error.message, /expected 4, found 4 \(per-community counts differ in communities 1, 2\)/);
});

// Issue 14: the platform's own feed rows (UUID keys, its own types).
const feedColumns = 'user_id, community_id, activity_type, subject_type, subject_id, idempotency_key, occurred_at, context, created_at, updated_at';
const uuid = (n: number) => `5f0c2f3e-8d1a-4c4b-9e2f-7a6b5c4d3e${String(n).padStart(2, '0')}`;

testEachDialect('a second feed row for a migrated subject fails verify (exit 4), naming the subject and both rows', async (t, database) => {
	const {appRoot} = await migrated(database);
	// Comment 1 (user 2, alpha) was migrated; now the platform writes its own row for it too.
	await database.sql.run(`INSERT INTO profile_activities (${feedColumns}) VALUES (2, 1, 'community_comment.created', 'community_comment', 1, ?, '2026-10-03 07:00:00', NULL, '2026-10-03 07:00:00', '2026-10-03 07:00:00')`, [uuid(1)]);
	const ids = await database.sql.all<{id: unknown; idempotency_key: string}>("SELECT id, idempotency_key FROM profile_activities WHERE subject_type = 'community_comment' AND subject_id = 1 ORDER BY id");
	const [ours, theirs] = ids.map(row => Number(row.id));
	t.deepEqual(ids.map(row => row.idempotency_key), [sha1('profile:community_comment:1:1'), uuid(1)]);

	const error = await t.throwsAsync(runJob(database, verify, {}, {appRoot}), {instanceOf: VerificationFailed});
	t.is(error.exitCode, 4);
	t.true(
		error.message.includes(`spot check "feed duplicates": 1 subject shown twice in the feed: community_comment 1 (user 2, community 1): rows ${ours} community_comment.posted key ${sha1('profile:community_comment:1:1')}, ${theirs} community_comment.created key ${uuid(1)}`),
		error.message,
	);
	const result = (error as unknown as {result: {metrics: Record<string, number>; details: {checks: VerificationChecks}}}).result;
	t.deepEqual(result.metrics, {api_gate_passed: 1, flag_on: 0, spot_checks_passed: 5, spot_checks_failed: 1, feed_duplicates: 1, users_sampled: 6, differences: 0});
	const check = result.details.checks.spot_check.checks.find(entry => entry.name === 'feed duplicates')!;
	t.deepEqual({passed: check.passed, expected: check.expected, found: check.found}, {passed: false, expected: 0, found: 1});
	t.deepEqual(check.details, {
		listed: 1,
		duplicates: [
			{
				subject_type: 'community_comment',
				subject_id: 1,
				community_id: 1,
				user_id: 2,
				count: 2,
				rows: [
					{id: ours, idempotency_key: sha1('profile:community_comment:1:1'), activity_type: 'community_comment.posted'},
					{id: theirs, idempotency_key: uuid(1), activity_type: 'community_comment.created'},
				],
			},
		],
	});
	// The per-type check still passes: the comment has its migrated row, the platform's is not counted in its place.
	t.true(result.details.checks.spot_check.checks.find(entry => entry.name === 'activities community_comment.posted')!.passed);
});

testEachDialect('after a migration that left the platform\'s own rows alone (records_duplicate), verify passes', async (t, database) => {
	await seedVerifyDataset(database.sql);
	// Before the migration the platform already shows comment 1 (user 2, alpha) and certificate 1 (user 1, alpha);
	// its row for certificate 2 (user 2) sits in beta, while the migration's row for it is global: not a duplicate.
	await database.sql.run(`INSERT INTO profile_activities (${feedColumns}) VALUES
		(2, 1, 'community_comment.created', 'community_comment', 1, ?, '2026-10-03 07:00:00', NULL, '2026-10-03 07:00:00', '2026-10-03 07:00:00'),
		(1, 1, 'course.completion_recorded', 'certificate', 1, ?, '2026-10-04 06:00:00', NULL, '2026-10-04 06:00:00', '2026-10-04 06:00:00'),
		(2, 2, 'course.completion_recorded', 'certificate', 2, ?, '2026-10-04 07:00:00', NULL, '2026-10-04 07:00:00', '2026-10-04 07:00:00')`, [uuid(2), uuid(3), uuid(4)]);
	await runJob(database, backfillMembership, {source: 'classrooms'});
	const migrate = await runJob(database, migrateLegacyActivity, {});
	t.like(migrate.metrics, {records_created: 3, records_unchanged: 0, records_duplicate: 2});

	const outcome = await runJob(database, verify, {}, {appRoot: createAppRoot()});
	t.deepEqual(outcome.metrics, {api_gate_passed: 1, flag_on: 0, spot_checks_passed: 6, spot_checks_failed: 0, feed_duplicates: 0, users_sampled: 6, differences: 0});
	const checks = checksOf(outcome);
	t.deepEqual(
		checks.spot_check.checks.slice(1).map(check => [check.name, check.expected, check.found, check.details]),
		[
			['activities community_post.published', 2, 2, {of_type: 2, platform_rows: 0}],
			['activities community_comment.posted', 1, 1, {of_type: 0, platform_rows: 1}],
			['activities course.completed', 2, 2, {of_type: 1, platform_rows: 1}],
			['activities total', 5, 5, {run_id: migrate.runId}],
			['feed duplicates', 0, 0, {duplicates: [], listed: 0}],
		],
	);
	t.is(checks.reconciliation.activities_expected, 5);
});
