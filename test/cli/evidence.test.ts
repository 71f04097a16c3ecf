import {spawn} from 'node:child_process';
import {readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import {writeSampleEvidence} from '../helpers/evidence.js';
import {cliEntry} from '../helpers/cli.js';

type Outcome = {code: number | null; stdout: string; stderr: string};

const projectRoot = new URL('../..', import.meta.url).pathname;

/** The real entry as a child process, stdin closed. */
async function cli(...args: string[]): Promise<Outcome> {
	const child = spawn(process.execPath, [...cliEntry, ...args], {cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, CI: '1', NO_COLOR: '1'}});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	return {code, stdout, stderr};
}

test('evidence verify: intact folder → exit 0 and the counts', async t => {
	const {dir} = await writeSampleEvidence();
	const [table, json] = await Promise.all([cli('evidence', 'verify', dir), cli('evidence', 'verify', dir, '--output=json')]);
	t.is(table.code, 0, table.stderr);
	t.true(table.stdout.startsWith('Evidence intact: 8 files, 6 events\n'));
	t.is(json.code, 0, json.stderr);
	const document = JSON.parse(json.stdout) as Record<string, unknown>;
	t.like(document, {command: 'evidence', status: 'succeeded', run_id: 'run-1', error: null, evidence_dir: dir, files: 8, events: 6, problems: []});
});

test('evidence verify: tampered folder → exit 4, one stderr line naming file and line, every problem in JSON', async t => {
	const {dir} = await writeSampleEvidence();
	const path = join(dir, 'events.jsonl');
	writeFileSync(path, readFileSync(path, 'utf8').replace('"type":"step-started"', '"type":"step-startex"'));
	writeFileSync(join(dir, 'steps', '08-verify.json'), '{}\n');
	const result = await cli('evidence', 'verify', dir, '--output=json');
	t.is(result.code, 4);
	const lines = result.stderr.trimEnd().split('\n');
	t.is(lines.length, 1, result.stderr);
	t.regex(lines[0]!, /^error: Evidence tampered or incomplete in .+: events\.jsonl line 2: hash does not match the line's content \(the line was changed\) \(and 2 more problem\(s\)\)\./);
	const document = JSON.parse(result.stdout) as {status: string; error: {code: number}; problems: Array<{file: string; line?: number}>};
	t.is(document.status, 'failed');
	t.is(document.error.code, 4);
	t.deepEqual(
		document.problems.map(problem => [problem.file, problem.line]),
		[['events.jsonl', 2], ['events.jsonl', undefined], ['steps/08-verify.json', 1]],
	);
});

test('evidence verify/export: a missing folder or a bad --format → exit 2 naming it', async t => {
	const {dir} = await writeSampleEvidence();
	const [missing, noFormat, badFormat, exportMissing] = await Promise.all([
		cli('evidence', 'verify', '/tmp/no/such/evidence-folder'),
		cli('evidence', 'export', dir),
		cli('evidence', 'export', dir, '--format=pdf'),
		cli('evidence', 'export', '/tmp/no/such/evidence-folder', '--format=md'),
	]);
	t.is(missing.code, 2);
	t.regex(missing.stderr, /^error: Evidence folder \/tmp\/no\/such\/evidence-folder does not exist\./);
	t.is(noFormat.code, 2);
	t.regex(noFormat.stderr, /needs --format=md\|json\|html/);
	t.is(badFormat.code, 2);
	t.regex(badFormat.stderr, /--format must be md, json or html \(got "pdf"\)/);
	t.is(exportMissing.code, 2);
	t.regex(exportMissing.stderr, /evidence-folder does not exist/);
});

test('evidence export: markdown on stdout, html to a 0600 file with --out, list names the folder', async t => {
	const {dir} = await writeSampleEvidence();
	const out = join(dir, '..', 'report.html');
	const root = join(dir, '..');
	const [markdown, html, list] = await Promise.all([
		cli('evidence', 'export', dir, '--format=md'),
		cli('evidence', 'export', dir, '--format=html', `--out=${out}`, '--output=json'),
		cli('evidence', 'list', `--evidence-dir=${root}`, '--output=json'),
	]);
	t.is(markdown.code, 0, markdown.stderr);
	t.true(markdown.stdout.startsWith('# Stage-11 runbook evidence — run run-1\n'));
	t.true(markdown.stdout.includes('| Members Created | `members_created` | 120 |'));
	t.is(html.code, 0, html.stderr);
	t.like(JSON.parse(html.stdout), {status: 'succeeded', format: 'html', out});
	t.is(statSync(out).mode & 0o777, 0o600);
	t.regex(readFileSync(out, 'utf8'), /<svg[^>]*>.*<rect class="bar"/s);
	t.is(list.code, 0, list.stderr);
	const folders = (JSON.parse(list.stdout) as {folders: Array<Record<string, unknown>>}).folders;
	t.deepEqual(folders, [{name: '20261125T191200Z-run-1', dir, run_id: 'run-1', steps: 3, status: 'failed', integrity_ok: true, problems: 0, first_problem: null}]);
});
