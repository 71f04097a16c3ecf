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
	t.deepEqual(outcome.metrics, {api_gate_passed: 1, flag_on: 0, spot_checks_passed: 5, spot_checks_failed: 0, users_sampled: 6, differences: 0});
	const checks = checksOf(outcome);
	t.deepEqual((outcome.result!.details as {runs: unknown}).runs, {backfill: backfillRun, migrate: migrateRun});
	t.deepEqual(checks.reconciliation.user_ids, [1, 2, 3, 4, 5, 6], 'users with linked enrollments or legacy activity; 7 has neither');
	t.is(checks.reconciliation.memberships_expected, 5);
	t.is(checks.reconciliation.activities_expected, 5);
	const members = checks.spot_check.checks[0]!;
	t.deepEqual({expected: members.expected, found: members.found, details: members.details}, {expected: 4, found: 4, details: {run_id: backfillRun, per_community: {1: {stamped: 2, written_by_run: 2}, 2: {stamped: 2, written_by_run: 2}}, communities_differing: []}});
	t.deepEqual(
		checks.spot_check.checks.slice(1).map(check => [check.name, check.expected, check.found]),
		[
			['activities community_post.published', 2, 2],
			['activities community_comment.posted', 1, 1],
			['activities course.completed', 2, 2],
			['activities total', 5, 5],
		],
	);
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
	t.deepEqual(result.metrics, {api_gate_passed: 1, flag_on: 0, spot_checks_passed: 4, spot_checks_failed: 1, users_sampled: 6, differences: 2});
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
