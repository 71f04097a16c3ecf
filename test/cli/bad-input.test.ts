import {copyFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import test from 'ava';
import {parseDatabaseUrl} from '../../source/db/database-url.js';
import {generateDemo} from '../../source/db/demo/generate-demo.js';
import {migrateRunbookTables, openDatabase} from '../../source/db/orm.js';
import {platformTables} from '../../source/db/platform-schema.js';
import {takeSnapshot} from '../../source/evidence/snapshot.js';
import {writeSampleEvidence} from '../helpers/evidence.js';
import {isOneLineError, runCli} from '../helpers/cli.js';

// Issue 7's bad-input table: each case is one line naming the problem (and the fix), the documented exit code, no
// stack trace, and the database and the files left exactly as they were.

const allTables = [...platformTables, 'runbook_runs', 'runbook_batches', 'runbook_undo', 'runbook_locks'];
const template = mkdtempSync(join(tmpdir(), 'runbook-bad-input-'));
const templateFile = join(template, 'demo.sqlite');

type Prepare = (file: string) => Promise<void>;
const notADatabase = join(template, 'not-a-database.sqlite');
writeFileSync(notADatabase, 'these bytes are not a SQLite database\n');

async function withDatabase(file: string, work: (sql: Awaited<ReturnType<typeof openDatabase>>['sql']) => Promise<void>): Promise<void> {
	const database = await openDatabase(parseDatabaseUrl(`sqlite:${file}`));
	try {
		await work(database.sql);
	} finally {
		await database.close();
	}
}

const prepared = (async () => {
	const database = await openDatabase(parseDatabaseUrl(`sqlite:${templateFile}`), {createSqliteFile: true});
	await migrateRunbookTables(database);
	// Plain JSON columns (demo --legacy-plain) until the jobs read the encrypted form.
	await generateDemo(database.sql, {size: 'tiny', seed: 7, attributes: {form: 'plain'}});
	await database.sql.run('PRAGMA wal_checkpoint(TRUNCATE)');
	await database.close();
})();

const encrypted: Prepare = async file =>
	withDatabase(file, async sql => {
		await sql.run(`UPDATE communities SET settings = '{"v":1,"ciphertext":"AAECAw=="}' WHERE id = 1`);
	});
const withoutEnrollments: Prepare = async file =>
	withDatabase(file, async sql => {
		await sql.run('DROP TABLE enrollments');
	});
const corruptedRun: Prepare = async file =>
	withDatabase(file, async sql => {
		await sql.run(
			"INSERT INTO runbook_runs (run_id, job, params, params_hash, code_version, mode, status, `cursor`, metrics, state, host, pid, started_at) VALUES ('11111111-2222-3333-4444-555555555555', 'backfill-membership', '{}', 'x', '0.1.0', 'execute', 'running', '{not json', '{}', '{}', 'elsewhere', 1, '2026-01-01 00:00:00')",
		);
	});

type Case = {
	readonly title: string;
	readonly args: string[];
	readonly code: number;
	readonly message: RegExp;
	readonly prepare?: Prepare;
	readonly env?: Record<string, string>;
	readonly url?: string;
};

const cases: Case[] = [
	...['0', '-1', 'abc', '1e3', '1.5', '99999999999'].map(value => ({title: `--batch=${value}`, args: ['backfill-membership', '--source=classrooms', `--batch=${value}`], code: 2, message: /--batch/})),
	...['0', '-1', 'abc', '1e3', '99999999999'].map(value => ({title: `--chunk=${value}`, args: ['migrate-legacy-activity', `--chunk=${value}`], code: 2, message: /--chunk/})),
	{title: '--since=yesterdayish', args: ['migrate-legacy-activity', '--since=yesterdayish'], code: 2, message: /--since/},
	{title: '--since=2025-13-45', args: ['migrate-legacy-activity', '--since=2025-13-45'], code: 2, message: /--since/},
	{title: '--source=posts', args: ['backfill-membership', '--source=posts'], code: 2, message: /--source must be classrooms/},
	{title: 'unknown community id', args: ['backfill-membership', '--source=classrooms', '--community=987654'], code: 2, message: /Community \[987654\] was not found/},
	{title: 'unknown community slug', args: ['backfill-membership', '--source=classrooms', '--community=No Such Place'], code: 2, message: /Community \[no-such-place\] was not found/},
	...['101', '-5', 'ten'].map(value => ({title: `--percentage=${value}`, args: ['enable-feature', '--flag=community_profile_activity', `--percentage=${value}`], code: 2, message: /--percentage/})),
	{title: 'flag name format', args: ['enable-feature', '--flag=Not A Flag!'], code: 2, message: /--flag/},
	{title: 'malformed --database-url', args: ['seed-baseline', '--force'], url: 'postgres//nope', code: 2, message: /--database-url/},
	{title: 'unreachable --database-url', args: ['seed-baseline', '--force'], url: 'mysql://root:pw@127.0.0.1:1/platform', code: 8, message: /127\.0\.0\.1:1/},
	{title: 'wrong password', args: ['seed-baseline', '--force'], url: 'mysql://runbook_nobody:wrong-Pa55@127.0.0.1:3306/test', code: 8, message: /Access denied/},
	{title: 'missing platform table', args: ['backfill-membership', '--source=classrooms'], prepare: withoutEnrollments, code: 3, message: /enrollments/},
	{title: 'encrypted settings', args: ['backfill-membership', '--source=classrooms'], prepare: encrypted, code: 3, message: /encrypted|ciphertext/i},
	{title: 'corrupted runbook_runs row', args: ['backfill-membership', '--source=classrooms'], prepare: corruptedRun, code: 3, message: /corrupted/},
	// `status` connects through the bare driver (read-only-database.ts), the jobs through the ORM: both map alike.
	{title: 'status, unreachable --database-url', args: ['status'], url: 'mysql://root:pw@127.0.0.1:1/platform', code: 8, message: /127\.0\.0\.1:1/},
	{title: 'status, a SQLite file that does not exist', args: ['status'], url: 'sqlite:/nonexistent/platform.sqlite', code: 2, message: /does not exist/},
	...[['status'], ['backfill-membership', '--source=classrooms', '--dry-run']].map(args => ({title: `${args[0]}, a file that is not a SQLite database`, args, url: `sqlite:${notADatabase}`, code: 2, message: /is not a SQLite database/})),
	{title: 'unknown command', args: ['backfil-membership'], code: 2, message: /unknown command/},
	{title: 'unknown option', args: ['backfill-membership', '--source=classrooms', '--batchsize=5'], code: 2, message: /unknown option '--batchsize=5'|unknown option/},
	{title: '--output=xml', args: ['status', '--output=xml'], code: 2, message: /--output must be table, plain or json/},
	{title: '--profile=staging', args: ['status', '--profile=staging'], code: 2, message: /--profile must be production, testing or demo/},
	{title: '--max-replica-lag=soon', args: ['backfill-membership', '--source=classrooms', '--max-replica-lag=soon'], code: 2, message: /--max-replica-lag/},
	{title: 'run --from=nope', args: ['run', '--yes', '--from=nope'], code: 2, message: /unknown step "nope"/},
	{title: 'evidence verify on a missing folder', args: ['evidence', 'verify', '/nonexistent/evidence/folder'], code: 2, message: /nonexistent/},
	{title: 'evidence export --format=pdf', args: ['evidence', 'export', '/nonexistent/evidence/folder', '--format=pdf'], code: 2, message: /--format|md, json or html|nonexistent/},
];

for (const testCase of cases) {
	test(`bad input: ${testCase.title} → exit ${testCase.code}, one line, nothing written`, async t => {
		await prepared;
		const cwd = mkdtempSync(join(tmpdir(), 'runbook-bad-input-cwd-'));
		const file = join(cwd, 'platform.sqlite');
		copyFileSync(templateFile, file);
		await testCase.prepare?.(file);
		const snapshot = async () => {
			let tables: Awaited<ReturnType<typeof takeSnapshot>> = [];
			await withDatabase(file, async sql => {
				tables = await takeSnapshot(sql, allTables);
			});
			return tables;
		};

		const before = await snapshot();
		const result = await runCli([...testCase.args, `--database-url=${testCase.url ?? `sqlite:${file}`}`], {cwd, env: testCase.env});
		t.is(result.code, testCase.code, result.stderr);
		t.true(isOneLineError(result.stderr), result.stderr);
		t.regex(result.stderr, testCase.message);
		t.false(/wrong-Pa55|:pw@/.test(result.stderr), 'no password in the message');
		t.is(result.stdout, '');
		t.deepEqual(await snapshot(), before, 'database unchanged');
		t.false(existsSync(join(cwd, 'storage')), `no evidence written: ${existsSync(join(cwd, 'storage')) ? readdirSync(join(cwd, 'storage')).join(',') : ''}`);
	});
}

test('bad input: --resume of an interrupted run with other parameters → exit 2 naming the difference, nothing written', async t => {
	await prepared;
	const cwd = mkdtempSync(join(tmpdir(), 'runbook-bad-input-cwd-'));
	const file = join(cwd, 'platform.sqlite');
	copyFileSync(templateFile, file);
	const url = `--database-url=sqlite:${file}`;
	const crashed = await runCli(['backfill-membership', '--source=classrooms', '--batch=1', '--community=1', url], {cwd, crashAfterBatch: 1});
	t.is(crashed.code, 1, crashed.stderr);
	let before: Awaited<ReturnType<typeof takeSnapshot>> = [];
	await withDatabase(file, async sql => {
		before = await takeSnapshot(sql, allTables);
	});
	const evidenceBefore = readdirSync(join(cwd, 'storage/app/upgrade/stage11'));
	const result = await runCli(['backfill-membership', '--source=classrooms', url], {cwd});
	t.is(result.code, 2, result.stderr);
	t.true(isOneLineError(result.stderr), result.stderr);
	t.regex(result.stderr, /other parameters \(community: \["1"\] then, null now\).*--restart/);
	await withDatabase(file, async sql => {
		t.deepEqual(await takeSnapshot(sql, allTables), before);
	});
	t.deepEqual(readdirSync(join(cwd, 'storage/app/upgrade/stage11')), evidenceBefore);
});

test('bad input: evidence verify on a tampered folder → exit 4 naming file and line', async t => {
	const folder = await writeSampleEvidence();
	const events = join(folder.dir, 'events.jsonl');
	const {readFileSync} = await import('node:fs');
	writeFileSync(events, readFileSync(events, 'utf8').replace('"seq":2', '"seq":9'));
	const result = await runCli(['evidence', 'verify', folder.dir]);
	t.is(result.code, 4);
	t.true(isOneLineError(result.stderr), result.stderr);
	t.regex(result.stderr, /events\.jsonl line 2/);
});
