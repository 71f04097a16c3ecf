import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import process from 'node:process';
import test from 'ava';
import {parseDatabaseUrl} from '../../source/db/database-url.js';
import {openDatabase} from '../../source/db/orm.js';
import {cliEntry} from '../helpers/cli.js';

// `community-runbook demo` as the acceptance suite runs it: the real entry, a child process, stdin closed.

const root = new URL('../..', import.meta.url).pathname;

async function demo(args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
	const child = spawn(process.execPath, [...cliEntry, 'demo', ...args], {
		cwd: root,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: {...process.env, CI: '1', NO_COLOR: '1', DATABASE_URL: ''},
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	return {code, stdout, stderr};
}

function scratch(t: {teardown: (fn: () => void) => void}): string {
	const folder = mkdtempSync(join(tmpdir(), 'runbook-demo-cli-'));
	t.teardown(() => rmSync(folder, {recursive: true, force: true}));
	return join(folder, 'demo.sqlite');
}

test('demo --size=tiny writes the dataset and prints one JSON document with counts and the path of the token file', async t => {
	const file = scratch(t);
	const {code, stdout, stderr} = await demo(['--size=tiny', `--database-url=sqlite:${file}`, '--output=json']);
	t.is(code, 0, stderr);
	const document = JSON.parse(stdout) as {command: string; status: string; params: {size: string; seed: number}; metrics: Record<string, number>; api_token_file: string; database: string};
	t.is(document.command, 'demo');
	t.is(document.status, 'succeeded');
	t.deepEqual(document.params, {size: 'tiny', seed: 42});
	t.is(document.metrics.enrollments, 300);
	for (const table of ['users', 'courses', 'communities', 'community_members', 'community_posts', 'community_post_comments', 'certificates', 'personal_access_tokens']) {
		t.true(document.metrics[table]! > 0, table);
	}

	t.is(document.database, `sqlite:${file}`);
	const token = readFileSync(document.api_token_file, 'utf8').trim();
	t.regex(token, /^\d+\|[A-Za-z\d]{40}$/);
	t.false(stdout.includes(token), 'the token is not printed');
	const database = await openDatabase(parseDatabaseUrl(`sqlite:${file}`));
	try {
		const [id, plain] = token.split('|') as [string, string];
		const row = await database.sql.get<{token: string}>('SELECT token FROM personal_access_tokens WHERE id = ?', [Number(id)]);
		t.is(row?.token, createHash('sha256').update(plain).digest('hex'));
		const users = await database.sql.get<{n: number}>('SELECT COUNT(*) AS n FROM users');
		t.is(Number(users?.n), document.metrics.users);
	} finally {
		await database.close();
	}
});

test('demo --size=huge is a usage error: exit 2, one line on stderr, nothing created', async t => {
	const file = scratch(t);
	const {code, stdout, stderr} = await demo(['--size=huge', `--database-url=sqlite:${file}`]);
	t.is(code, 2);
	t.is(stdout, '');
	const lines = stderr.trimEnd().split('\n');
	t.is(lines.length, 1, stderr);
	t.regex(lines[0]!, /^error: --size must be tiny, small or 1m/);
	t.false(existsSync(file));
});

test('demo rejects a bad --seed and refuses the production profile', async t => {
	const file = scratch(t);
	const seeds = ['abc', '-1', '2147483649'];
	// A mysql:// URL means the production profile: refused before connecting (port 1 would be exit 8 otherwise).
	const [production, ...outcomes] = await Promise.all([
		demo(['--size=tiny', '--database-url=mysql://root@127.0.0.1:1/platform']),
		...seeds.map(async seed => demo([`--seed=${seed}`, `--database-url=sqlite:${file}`])),
	]);
	for (const [index, {code, stderr}] of outcomes.entries()) {
		t.is(code, 2, seeds[index]);
		t.regex(stderr.trimEnd(), /^error: --seed must be a whole number from 0 to 2147483648\.[^\n]*$/, seeds[index]);
	}

	t.is(production!.code, 2);
	t.regex(production!.stderr.trimEnd(), /^error: demo [^\n]*production profile[^\n]*$/);
	t.false(existsSync(file));
});
