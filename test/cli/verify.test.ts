import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import {readdirSync, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {startApiServer} from '../../source/api/create-api-server.js';
import {backfillMembership} from '../../source/jobs/backfill-membership.js';
import {migrateLegacyActivity} from '../../source/jobs/migrate-legacy-activity.js';
import {testEachDialect, type TestDatabase} from '../helpers/databases.js';
import {createAppRoot, writeFlags} from '../helpers/profile-feed.js';
import {runJob} from '../helpers/run-job.js';
import {seedVerifyDataset} from '../jobs/helpers/verify-dataset.js';
import {cliEntry} from '../helpers/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function cli(args: string[], env: Record<string, string> = {}): Promise<{code: number; stdout: string; stderr: string}> {
	return new Promise(resolve => {
		const child = execFile(process.execPath, [...cliEntry, ...args], {cwd: root, env: {...process.env, CI: 'true', DATABASE_URL: '', ...env}, timeout: 90_000}, (error, stdout, stderr) => {
			resolve({code: error ? Number((error as {code?: number}).code ?? 1) : 0, stdout, stderr});
		});
		child.stdin?.end();
	});
}

async function prepared(database: TestDatabase): Promise<string> {
	await seedVerifyDataset(database.sql);
	await runJob(database, backfillMembership, {source: 'classrooms'});
	await runJob(database, migrateLegacyActivity, {});
	return createAppRoot();
}

function filesUnder(folder: string): string[] {
	return readdirSync(folder).flatMap(name => {
		const path = join(folder, name);
		return statSync(path).isDirectory() ? filesUnder(path) : [path];
	});
}

testEachDialect('verify through the CLI: exit 0 with checks in the JSON document; exit 4 with the differences after corruption', async (t, database) => {
	const appRoot = await prepared(database);
	const args = ['verify', `--database-url=${database.url}`, `--app-root=${appRoot}`, '--profile=testing', '--output=json', '--sample=10', '--seed=3'];
	const passed = await cli(args);
	t.is(passed.code, 0, passed.stderr);
	const document = JSON.parse(passed.stdout) as {command: string; status: string; metrics: Record<string, number>; checks: {gate: {passed: boolean}; spot_check: {passed: boolean}; reconciliation: {passed: boolean; users_sampled: number}}};
	t.is(document.command, 'verify');
	t.is(document.status, 'succeeded');
	t.deepEqual(document.metrics, {api_gate_passed: 1, flag_on: 0, spot_checks_passed: 6, spot_checks_failed: 0, feed_duplicates: 0, users_sampled: 6, differences: 0});
	t.true(document.checks.gate.passed && document.checks.spot_check.passed && document.checks.reconciliation.passed);

	await database.sql.run("UPDATE community_members SET role = 'member' WHERE community_id = 2 AND user_id = 2");
	const failed = await cli(args);
	t.is(failed.code, 4, failed.stderr);
	t.regex(failed.stderr, /^error: Verification failed: .*user 2 community 2 member_role_lower/m);
	const failure = JSON.parse(failed.stdout) as {status: string; error: {code: number}; metrics: Record<string, number>; checks: {reconciliation: {differences: Array<{user_id: number; community_id: number; kind: string}>}}};
	t.is(failure.status, 'failed');
	t.is(failure.error.code, 4);
	t.is(failure.metrics.differences, 1);
	t.deepEqual(failure.checks.reconciliation.differences.map(difference => [difference.user_id, difference.community_id, difference.kind]), [[2, 2, 'member_role_lower']]);
});

testEachDialect('verify with --api-url and --token: the token is used and never printed or stored', async (t, database) => {
	const appRoot = await prepared(database);
	writeFlags(appRoot, {community_profile_activity: true});
	const plain = 'verifyCliPlainToken0123456789abcdefghijkl';
	await database.sql.run(
		"INSERT INTO personal_access_tokens (id, tokenable_type, tokenable_id, name, token, abilities, created_at, updated_at) VALUES (50, ?, 1, 'ops', ?, '[\"*\"]', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
		[String.raw`App\Models\User`, createHash('sha256').update(plain).digest('hex')],
	);
	const server = await startApiServer({database, appRoot, env: {}, port: 0});
	try {
		const token = `50|${plain}`;
		const result = await cli(['verify', `--database-url=${database.url}`, `--app-root=${appRoot}`, '--profile=testing', '--output=json', `--api-url=${server.url}`, `--token=${token}`]);
		t.is(result.code, 0, result.stderr);
		const document = JSON.parse(result.stdout) as {metrics: Record<string, number>; params: Record<string, unknown>; evidence_dir: string; checks: {gate: {user_id: number; api: {in_process: boolean}}}};
		t.is(document.metrics.flag_on, 1);
		t.is(document.metrics.api_gate_passed, 1);
		t.is(document.checks.gate.user_id, 1);
		t.false(document.checks.gate.api.in_process);
		t.is(document.params.token, '***');
		t.false(result.stdout.includes(plain));
		t.false(result.stderr.includes(plain));
		for (const file of filesUnder(document.evidence_dir)) {
			t.false(readFileSync(file, 'utf8').includes(plain), file);
		}

		const run = await database.sql.get<{params: string}>("SELECT params FROM runbook_runs WHERE job = 'verify'");
		t.false(run!.params.includes(plain));
		t.is(Number((await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM personal_access_tokens'))!.n), 1, 'no token minted when one is given');
	} finally {
		await server.close();
	}
});
