import {type ChildProcess, spawn} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import type {Sql} from '../../source/db/sql.js';
import {createTestDatabase, type TestDatabase, testEachDialect} from '../helpers/databases.js';
import {generateBulkDataset} from './helpers/backfill-bulk.js';
import {seedBackfillDataset} from './helpers/backfill-dataset.js';
import {cliEntry} from '../helpers/cli.js';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

type Finished = {code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string};

function start(args: string[], env: Record<string, string> = {}): {child: ChildProcess; done: Promise<Finished>} {
	const child = spawn(process.execPath, [...cliEntry, ...args], {cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, CI: '1', NO_COLOR: '1', DATABASE_URL: '', ...env}});
	let stdout = '';
	let stderr = '';
	child.stdout!.on('data', chunk => {
		stdout += String(chunk);
	});
	child.stderr!.on('data', chunk => {
		stderr += String(chunk);
	});
	const done = new Promise<Finished>(resolve => {
		child.on('close', (code, signal) => {
			resolve({code, signal, stdout, stderr});
		});
	});
	return {child, done};
}

async function cli(args: string[], env?: Record<string, string>): Promise<Finished> {
	return start(args, env).done;
}

const evidenceDir = () => mkdtempSync(join(tmpdir(), 'runbook-backfill-cli-'));

testEachDialect('CLI: JSON document with the exact metrics; --source=posts is one usage line, exit 2', async (t, database) => {
	await seedBackfillDataset(database.sql);
	const evidence = evidenceDir();
	const ok = await cli(['backfill-membership', '--source=classrooms', `--database-url=${database.url}`, '--output=json', `--evidence-dir=${evidence}`, '--batch=7']);
	t.is(ok.code, 0, ok.stderr);
	const document = JSON.parse(ok.stdout) as Record<string, unknown>;
	t.deepEqual(Object.keys(document).sort(), ['command', 'drift', 'dry_run', 'duration_ms', 'error', 'evidence_dir', 'metrics', 'params', 'run_id', 'status', 'warnings']);
	t.like(document, {command: 'backfill-membership', status: 'succeeded', dry_run: false, drift: null, error: null});
	t.deepEqual(document.metrics, {communities_processed: 3, communities_skipped: 1, enrollments_scanned: 25, members_created: 8, members_reactivated: 3, members_updated: 2, members_unchanged: 2, records_skipped: 7});
	t.is((document.warnings as string[]).length, 2);

	const before = await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_runs');
	const bad = await cli(['backfill-membership', '--source=posts', `--database-url=${database.url}`, `--evidence-dir=${evidence}`]);
	t.is(bad.code, 2);
	t.is(bad.stdout, '');
	t.is(bad.stderr.trimEnd().split('\n').length, 1, bad.stderr);
	t.regex(bad.stderr, /--source must be classrooms/);
	const batch = await cli(['backfill-membership', '--source=classrooms', '--batch=0', `--database-url=${database.url}`, `--evidence-dir=${evidence}`]);
	t.is(batch.code, 2);
	t.regex(batch.stderr, /^error: --batch must be an integer 1\.\.100000/);
	const unknown = await cli(['backfill-membership', '--source=classrooms', '--community=nowhere', `--database-url=${database.url}`, `--evidence-dir=${evidence}`]);
	t.is(unknown.code, 2);
	t.regex(unknown.stderr, /Community \[nowhere\] was not found\./);
	t.deepEqual(await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_runs'), before);
});

type Member = Record<string, unknown>;

/**
 * Every member row as text, without its id (a killed MariaDB transaction burns auto-increment values), with the run's
 * own values masked: run_id and synced_at in metadata, and the run's start in created_at / updated_at.
 */
async function membersByKey(sql: Sql): Promise<string[]> {
	const run = await sql.get<{started_at: unknown}>("SELECT started_at FROM runbook_runs WHERE job = 'backfill-membership' ORDER BY id DESC LIMIT 1");
	const started = String(run?.started_at).slice(0, 19);
	const rows = await sql.all<Member>('SELECT community_id, user_id, role, status, joined_at, metadata, created_at, updated_at, deleted_at FROM community_members ORDER BY community_id, user_id');
	const mask = (value: unknown) => (value === started ? 'START' : value);
	return rows.map(row =>
		JSON.stringify({
			...row,
			community_id: Number(row.community_id),
			user_id: Number(row.user_id),
			metadata: typeof row.metadata === 'string' ? row.metadata.replace(/"run_id":"[^"]*"/, '"run_id":"R"').replace(/"synced_at":"[^"]*"/, '"synced_at":"S"') : row.metadata,
			created_at: mask(row.created_at),
			updated_at: mask(row.updated_at),
		}),
	);
}

testEachDialect('CLI: kill -9 mid-run, then the same command resumes to the state of an uninterrupted run', async (t, database) => {
	t.timeout(600_000);
	await generateBulkDataset(database.sql, {enrollments: 50_000});
	let reference: TestDatabase | undefined;
	let referenceUrl: string;
	if (database.sql.dialect === 'sqlite') {
		const copy = join(mkdtempSync(join(tmpdir(), 'runbook-copy-')), 'copy.sqlite');
		// VACUUM INTO: a consistent copy, WAL content included.
		await database.sql.run('VACUUM INTO ?', [copy]);
		referenceUrl = `sqlite:${copy}`;
	} else {
		reference = await createTestDatabase('mysql');
		await generateBulkDataset(reference.sql, {enrollments: 50_000});
		referenceUrl = reference.url;
	}

	try {
		const evidence = evidenceDir();
		const args = ['backfill-membership', '--source=classrooms', '--batch=100', `--database-url=${database.url}`, `--evidence-dir=${evidence}`];
		const {child, done} = start(args);
		await new Promise<void>((resolve, reject) => {
			let seen = '';
			child.stderr!.on('data', chunk => {
				seen += String(chunk);
				if (/progress batch=/.test(seen)) {
					child.kill('SIGKILL');
					resolve();
				}
			});
			child.on('close', () => {
				reject(new Error(`the child ended before its first progress line: ${seen}`));
			});
		});
		const killed = await done;
		t.is(killed.signal, 'SIGKILL');
		const run = await database.sql.get<{run_id: string; status: string}>("SELECT run_id, status FROM runbook_runs WHERE job = 'backfill-membership'");
		t.is(run?.status, 'running', 'the killed run never got to record an end');
		const committed = await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_batches WHERE run_id = ?', [run!.run_id]);
		t.true(Number(committed?.n) >= 1);

		const resumed = await cli([...args.slice(0, -1), '--output=json', `--evidence-dir=${evidence}`]);
		t.is(resumed.code, 0, resumed.stderr);
		const resumedDocument = JSON.parse(resumed.stdout) as {run_id: string; metrics: Record<string, number>};
		t.is(resumedDocument.run_id, run!.run_id);

		const uninterrupted = await cli(['backfill-membership', '--source=classrooms', '--batch=100', `--database-url=${referenceUrl}`, '--output=json', `--evidence-dir=${evidenceDir()}`]);
		t.is(uninterrupted.code, 0, uninterrupted.stderr);
		const referenceDocument = JSON.parse(uninterrupted.stdout) as {metrics: Record<string, number>};
		t.deepEqual(resumedDocument.metrics, referenceDocument.metrics);
		t.true(referenceDocument.metrics.members_created! > 10_000);

		const resumedRows = await membersByKey(database.sql);
		let referenceRows: string[];
		if (reference) {
			referenceRows = await membersByKey(reference.sql);
		} else {
			const copy = await createCopyConnection(referenceUrl);
			referenceRows = await membersByKey(copy.sql);
			await copy.close();
		}

		t.is(resumedRows.length, referenceRows.length);
		const differences = resumedRows.filter((row, index) => row !== referenceRows[index]);
		t.deepEqual(differences.slice(0, 3), [], `${differences.length} rows differ`);
		t.true(resumedRows.some(row => row.includes('"created_at":"START"')));
	} finally {
		await reference?.destroy();
	}
});

async function createCopyConnection(url: string) {
	const {parseDatabaseUrl} = await import('../../source/db/database-url.js');
	const {openDatabase} = await import('../../source/db/orm.js');
	return openDatabase(parseDatabaseUrl(url));
}
