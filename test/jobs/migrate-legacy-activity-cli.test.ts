import {spawn} from 'node:child_process';
import {once} from 'node:events';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {testEachDialect} from '../helpers/databases.js';
import {digestAll, seedLegacyData} from './helpers/legacy-activity.js';
import {cliEntry} from '../helpers/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

type Exit = {code: number | null; stdout: string; stderr: string};

/** The real CLI (`cliEntry`) `migrate-legacy-activity …` with stdin closed. */
async function cli(args: string[]): Promise<Exit> {
	const env: NodeJS.ProcessEnv = {...process.env, CI: '1', NO_COLOR: '1'};
	delete env.DATABASE_URL;
	const child = spawn(process.execPath, [...cliEntry, 'migrate-legacy-activity', ...args], {cwd: root, env, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => {
		stdout += chunk.toString();
	});
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	const [code] = (await once(child, 'exit')) as [number | null];
	return {code, stdout, stderr};
}

testEachDialect('CLI: a JSON run exits 0, then bad --since / --chunk exit 2 with one line and write nothing', async (t, database) => {
	await seedLegacyData(database.sql);
	const evidence = mkdtempSync(join(tmpdir(), 'runbook-cli-evidence-'));
	const common = [`--database-url=${database.url}`, `--evidence-dir=${evidence}`, `--app-root=${evidence}`];

	const run = await cli([...common, '--output=json', '--since=-90 days']);
	t.is(run.code, 0, run.stderr);
	const document = JSON.parse(run.stdout) as {status: string; metrics: Record<string, number>; dry_run: boolean};
	t.is(document.status, 'succeeded');
	t.is(document.dry_run, false);
	t.deepEqual(Object.keys(document.metrics), ['posts_processed', 'comments_processed', 'completions_processed', 'records_created', 'records_updated', 'records_unchanged', 'records_duplicate', 'records_skipped']);
	t.is(document.metrics.records_updated, 0);

	const before = await digestAll(database.sql);
	for (const bad of [['--since=yesterdayish', /--since/], ['--since=2025-13-45', /--since/], ['--chunk=0', /--chunk must be an integer 1\.\.100000/]] as const) {
		const result = await cli([...common, bad[0]]);
		t.is(result.code, 2, bad[0]);
		const lines = result.stderr.trim().split('\n');
		t.is(lines.length, 1, result.stderr);
		t.regex(lines[0]!, bad[1]);
		t.is(result.stdout.trim(), '');
	}

	t.deepEqual(await digestAll(database.sql), before);
});
