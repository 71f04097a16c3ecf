import {readFileSync, statSync, writeFileSync, mkdirSync, existsSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import type {Sql} from '../../source/db/sql.js';
import {createTestDatabase, dialects, type TestDatabase} from '../helpers/databases.js';
import {runCli} from '../helpers/cli.js';
import {buildDataset} from '../reliability/dataset.js';
import {checksums, cli, lastJsonLine, temporaryFolder} from '../reliability/helpers.js';

// The run lifecycle as an operator meets it (issue 12, DESIGN.md §5, §6, §8, §10), every test on SQLite and MariaDB
// through the real CLI: re-runs after success, drift before the first write, unfinished runbook runs, --restart on a
// corrupted row, rollback of one job run of a session, dry runs of the one-shot jobs, the demo's token file.

const small = {users: 120, enrollments: 500, posts: 60, comments: 60, certificates: 20};

type Setup = {database: TestDatabase; folder: string; common: string[]};

async function setUp(dialect: (typeof dialects)[number]): Promise<Setup> {
	const database = await createTestDatabase(dialect);
	await buildDataset(database.sql, small);
	const folder = temporaryFolder('runbook-lifecycle-');
	return {database, folder, common: [`--database-url=${database.url}`, `--app-root=${folder}`, '--output=json']};
}

async function bookkeepingCounts(sql: Sql): Promise<number[]> {
	const counts: number[] = [];
	for (const table of ['runbook_runs', 'runbook_undo', 'runbook_batches']) {
		counts.push(Number((await sql.get<{n: unknown}>(`SELECT COUNT(*) AS n FROM ${table}`))!.n));
	}

	return counts;
}

function metrics(result: {json?: Record<string, unknown>}): Record<string, number> {
	return (result.json?.metrics ?? {}) as Record<string, number>;
}

function forEachDialect(title: string, body: (t: import('ava').ExecutionContext, setup: Setup) => Promise<void>): void {
	for (const dialect of dialects) {
		test(`${title} [${dialect}]`, async t => {
			t.timeout(10 * 60_000);
			const setup = await setUp(dialect);
			try {
				await body(t, setup);
			} finally {
				await setup.database.destroy();
			}
		});
	}
}

forEachDialect('backfill: a dry run then the execution passes; a re-run after success exits 0 with zero writes; a change after a dry run stops with exit 7 before any write', async (t, {database, common}) => {
	const backfill = ['backfill-membership', '--source=classrooms', '--batch=40', ...common];
	const dryRun = await cli([...backfill, '--dry-run']);
	t.is(dryRun.code, 0, dryRun.stderr);
	const executed = await cli(backfill);
	t.is(executed.code, 0, executed.stderr);
	t.deepEqual(metrics(executed), metrics(dryRun), 'the execution did what the dry run planned');
	const record = JSON.parse(readFileSync(join(String(executed.json!.evidence_dir), 'steps', '01-backfill-membership.json'), 'utf8')) as {dry_run: {run_id: string} | null; drift_check: string};
	t.is(record.dry_run?.run_id, String(dryRun.json!.run_id), 'the step evidence names the dry run it compared with');

	const again = await cli(backfill);
	t.is(again.code, 0, `a re-run after success is not compared with the consumed dry run: ${again.stderr}`);
	t.like(metrics(again), {members_created: 0, members_reactivated: 0, members_updated: 0});
	t.is(again.json!.drift, null);
	t.regex(String(JSON.parse(readFileSync(join(String(again.json!.evidence_dir), 'steps', '01-backfill-membership.json'), 'utf8')).drift_check), /no dry run/);

	t.is((await cli([...backfill, '--dry-run'])).code, 0);
	// A user enrols in a linked course after the dry run: the work set differs before the first write.
	const course = await database.sql.get<{course_id: unknown}>('SELECT course_id FROM enrollments WHERE course_id IS NOT NULL ORDER BY id LIMIT 1');
	await database.sql.run('INSERT INTO enrollments (user_id, course_id, entry_date, created_at) VALUES (?, ?, ?, ?)', [3, course!.course_id, 1_735_700_000, '2025-01-01 00:00:00']);
	const before = await checksums(database.sql);
	const [, undoBefore] = await bookkeepingCounts(database.sql);
	const drifted = await cli(backfill);
	t.is(drifted.code, 7, drifted.stderr);
	t.regex(drifted.stderr, /work set differs from the dry run .*enrollments_scanned planned \d+, actual \d+.*Nothing was written/);
	t.deepEqual(await checksums(database.sql), before, 'no platform table changed');
	t.is((await bookkeepingCounts(database.sql))[1], undoBefore, 'no undo row was written');
	t.like(drifted.json, {status: 'failed', error: {code: 7}});
	t.truthy((drifted.json!.drift as Record<string, unknown>).enrollments_scanned);

	const accepted = await cli([...backfill, '--accept-drift']);
	t.is(accepted.code, 0, `--accept-drift goes ahead (a new run: the stopped one was final): ${accepted.stderr}`);
	t.not(accepted.json!.run_id, drifted.json!.run_id);
});

forEachDialect('legacy migration: the same lifecycle — zero writes on a re-run, exit 7 with nothing written after a change', async (t, {database, common}) => {
	const migrate = ['migrate-legacy-activity', '--chunk=25', ...common];
	t.is((await cli([...migrate, '--dry-run'])).code, 0);
	const executed = await cli(migrate);
	t.is(executed.code, 0, executed.stderr);
	const again = await cli(migrate);
	t.is(again.code, 0, again.stderr);
	t.like(metrics(again), {records_created: 0, records_updated: 0});

	t.is((await cli([...migrate, '--dry-run'])).code, 0);
	await database.sql.run(`INSERT INTO community_posts (community_id, author_id, type, visibility, published_at, created_at) SELECT community_id, author_id, type, visibility, published_at, created_at FROM community_posts WHERE deleted_at IS NULL ORDER BY id LIMIT 1`);
	const before = await checksums(database.sql);
	const drifted = await cli(migrate);
	t.is(drifted.code, 7, drifted.stderr);
	t.regex(drifted.stderr, /posts_processed planned \d+, actual \d+/);
	t.deepEqual(await checksums(database.sql), before);
});

forEachDialect('run refuses an unfinished runbook run (exit 2 naming it and its step); --resume continues it; --restart marks it aborted; rollback ends skipped', async (t, {database, common}) => {
	const refusedBackup = await cli(['run', '--yes', '--until=seed-baseline', ...common]);
	t.is(refusedBackup.code, 3, refusedBackup.stderr);
	const unfinished = String(refusedBackup.json!.run_id);

	const refused = await cli(['run', '--yes', '--backup-ack', '--until=seed-baseline', ...common]);
	t.is(refused.code, 2, refused.stderr);
	t.regex(refused.stderr, new RegExp(`unfinished runbook:stage11 run exists: ${unfinished} \\(stopped at step 1 prerequisites\\).*--resume.*--restart`));

	const resumed = await cli(['run', '--yes', '--backup-ack', '--resume', '--until=seed-baseline', ...common]);
	t.is(resumed.code, 0, resumed.stderr);
	t.is(resumed.json!.run_id, unfinished, '--resume continues the same run');

	await database.sql.run(`UPDATE runbook_runs SET status = 'failed', finished_at = NULL WHERE run_id = ?`, [unfinished]);
	const restarted = await cli(['run', '--yes', '--backup-ack', '--restart', '--until=seed-baseline', ...common]);
	t.is(restarted.code, 0, restarted.stderr);
	t.not(restarted.json!.run_id, unfinished);
	t.is((await database.sql.get<{status: string}>('SELECT status FROM runbook_runs WHERE run_id = ?', [unfinished]))!.status, 'aborted');
	const steps = restarted.json!.steps as Array<{id: string; status: string}>;
	t.deepEqual(steps.map(step => step.status), ['succeeded', 'succeeded', 'pending', 'pending', 'pending', 'pending', 'pending', 'pending', 'pending', 'skipped']);
	t.is(steps.at(-1)!.id, 'rollback');
});

forEachDialect('--restart sets aside an unfinished run whose row is corrupted (exit 0, marked aborted); without it exit 3 says to use it', async (t, {database, common}) => {
	const backfill = ['backfill-membership', '--source=classrooms', '--batch=20', ...common];
	const crashed = await runCli(backfill, {crashAfterBatch: 2});
	t.is(crashed.code, 1, crashed.stderr);
	const run = await database.sql.get<{run_id: string}>(`SELECT run_id FROM runbook_runs WHERE job = 'backfill-membership'`);
	await database.sql.run(`UPDATE runbook_runs SET metrics = '{not json' WHERE run_id = ?`, [run!.run_id]);
	const refused = await cli(backfill);
	t.is(refused.code, 3, refused.stderr);
	t.regex(refused.stderr, /corrupted metrics column.*--restart/);
	const restarted = await cli([...backfill, '--restart']);
	t.is(restarted.code, 0, restarted.stderr);
	t.regex(JSON.stringify(restarted.json!.warnings), new RegExp(`unfinished run ${run!.run_id} is marked aborted and kept for inspection`));
	t.is((await database.sql.get<{status: string}>('SELECT status FROM runbook_runs WHERE run_id = ?', [run!.run_id]))!.status, 'aborted');
});

forEachDialect('rollback --run=<a job run of a session> undoes that job run only; plain rollback then undoes the rest of the session', async (t, {database, common}) => {
	const before = await checksums(database.sql);
	const session = await cli(['run', '--yes', '--backup-ack', '--until=migrate-legacy-activity', ...common]);
	t.is(session.code, 0, session.stderr);
	const steps = session.json!.steps as Array<{id: string; run_id: string | null}>;
	const runOf = (id: string) => steps.find(step => step.id === id)!.run_id!;
	const parents = await database.sql.all<{run_id: string; parent_run_id: string | null}>(`SELECT run_id, parent_run_id FROM runbook_runs WHERE job <> 'runbook:stage11'`);
	t.true(parents.every(row => row.parent_run_id === session.json!.run_id), 'job runs of a session name it as their parent');
	const since5 = JSON.parse(readFileSync(join(String(session.json!.evidence_dir), 'steps', '05-migrate-legacy-activity-dry-run.json'), 'utf8')) as {resolved: {sinceAt: string}};
	const since6 = JSON.parse(readFileSync(join(String(session.json!.evidence_dir), 'steps', '06-migrate-legacy-activity.json'), 'utf8')) as {details: {since: string}};
	t.is(since6.details.since, since5.resolved.sinceAt, 'step 6 filters with the since step 5 resolved');

	const afterRun = await checksums(database.sql);
	const one = await cli(['rollback', `--run=${runOf('backfill-membership')}`, ...common]);
	t.is(one.code, 0, one.stderr);
	const now = await checksums(database.sql);
	t.is(now.community_members, before.community_members, 'the backfill is undone');
	t.is(now.profile_activities, afterRun.profile_activities, 'the migration of the same session is untouched');
	const parent = await database.sql.get<{parent_run_id: string}>('SELECT parent_run_id FROM runbook_runs WHERE run_id = ?', [one.json!.run_id]);
	t.is(parent!.parent_run_id, runOf('backfill-membership'), 'the rollback names its target');

	const rest = await cli(['rollback', ...common]);
	t.is(rest.code, 0, rest.stderr);
	t.is(rest.json!.target_run, session.json!.run_id);
	t.deepEqual(await checksums(database.sql), before, 'the whole session is undone');
});

forEachDialect('seed-baseline and enable-feature take --dry-run: nothing written (not even in production without --force)', async (t, {database, folder, common}) => {
	const before = await checksums(database.sql);
	const counts = await bookkeepingCounts(database.sql);
	const seed = await cli(['seed-baseline', '--dry-run', '--profile=production', ...common]);
	t.is(seed.code, 0, seed.stderr);
	t.is(seed.json!.dry_run, true);
	t.like(metrics(seed), {categories_created: 5, levels_created: 4, rules_created: 6});
	const enable = await cli(['enable-feature', '--flag=community_profile_activity', '--dry-run', '--profile=production', ...common]);
	t.is(enable.code, 0, enable.stderr);
	t.like(metrics(enable), {flags_changed: 1, files_written: 2});
	t.deepEqual(await checksums(database.sql), before);
	t.deepEqual(await bookkeepingCounts(database.sql), counts);
	t.false(existsSync(join(folder, 'storage', 'app', 'feature-flags.json')));
	const refused = await cli(['seed-baseline', '--profile=production', ...common]);
	t.is(refused.code, 2, 'without --dry-run production still needs --force');
});

forEachDialect('demo writes the API token to a 0600 file and prints its path, never the token', async (t, {database, folder}) => {
	const demo = await cli(['demo', '--size=tiny', `--database-url=${database.url}`, '--profile=testing', `--app-root=${folder}`, '--output=json']);
	t.is(demo.code, 0, demo.stderr);
	const file = String(demo.json!.api_token_file);
	t.is(file, join(folder, 'storage', 'app', 'demo-api-token'));
	t.is(statSync(file).mode & 0o777, 0o600);
	const token = readFileSync(file, 'utf8').trim();
	t.regex(token, /^\d+\|\S{20,}$/);
	t.false(demo.stdout.includes(token), 'no token on stdout');
	t.false(demo.stderr.includes(token), 'no token on stderr');
	t.false('api_token' in demo.json!);
});

test('the flags file decides: true is on even when the rollout percentage is 0 (status shows it)', async t => {
	const folder = temporaryFolder('runbook-flags-');
	mkdirSync(join(folder, 'storage', 'app'), {recursive: true});
	writeFileSync(join(folder, 'storage', 'app', 'feature-flags.json'), '{\n  "community_profile_activity": true\n}\n');
	writeFileSync(join(folder, 'storage', 'app', 'feature-rollouts.json'), '{"community_profile_activity": {"enabled": false, "percentage": 0, "segments": [], "updated_at": null}}\n');
	const database = await createTestDatabase('sqlite');
	try {
		const status = await cli(['status', `--database-url=${database.url}`, `--app-root=${folder}`, '--output=json']);
		t.is(status.code, 0, status.stderr);
		t.like(lastJsonLine(status.stdout), {flag: {on: true}});
	} finally {
		await database.destroy();
	}
});
