import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import process from 'node:process';
import test, {type ExecutionContext} from 'ava';
import {parseDatabaseUrl} from '../../source/db/database-url.js';
import {openDatabase} from '../../source/db/orm.js';
import type {Sql} from '../../source/db/sql.js';
import {cliEntry} from '../helpers/cli.js';
import {createTestDatabase, dialects} from '../helpers/databases.js';
import {encryptedColumns, openStored} from '../helpers/encrypted-columns.js';

// `community-runbook demo` as the acceptance suite runs it: the real entry, a child process, stdin closed.

const root = new URL('../..', import.meta.url).pathname;

async function demo(args: string[], env: Record<string, string> = {}): Promise<{code: number | null; stdout: string; stderr: string}> {
	// The platform's own APP_KEY / APP_ENV of the developer's shell must not leak into the demo's app root.
	const {APP_KEY: _key, APP_ENV: _environment, APP_PREVIOUS_KEYS: _previous, APP_CIPHER: _cipher, ...inherited} = process.env;
	const child = spawn(process.execPath, [...cliEntry, 'demo', ...args], {
		cwd: root,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: {...inherited, CI: '1', NO_COLOR: '1', DATABASE_URL: '', ...env},
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	return {code, stdout, stderr};
}

function scratchFolder(t: {teardown: (fn: () => void) => void}): string {
	const folder = mkdtempSync(join(tmpdir(), 'runbook-demo-cli-'));
	t.teardown(() => rmSync(folder, {recursive: true, force: true}));
	return folder;
}

function scratch(t: {teardown: (fn: () => void) => void}): string {
	return join(scratchFolder(t), 'demo.sqlite');
}

test('demo --size=tiny writes the dataset and prints one JSON document with counts and the path of the token file', async t => {
	const folder = scratchFolder(t);
	const file = join(folder, 'demo.sqlite');
	const {code, stdout, stderr} = await demo(['--size=tiny', `--database-url=sqlite:${file}`, `--app-root=${folder}`, '--output=json']);
	t.is(code, 0, stderr);
	const document = JSON.parse(stdout) as {command: string; status: string; params: {size: string; seed: number}; metrics: Record<string, number>; api_token_file: string; database: string};
	t.is(document.api_token_file, join(folder, 'storage', 'app', 'demo-api-token'));
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

// DESIGN.md §2 "Encrypted attributes": the demo writes the six columns as the platform does, under the app root's key.

type DemoDocument = {status: string; encrypted_attributes: string; app_key_file: string | null; metrics: Record<string, number>};

/** Every stored value of the six columns, opened (decrypted with `appKey` when encrypted); table.column:id → value. */
async function openedColumns(sql: Sql, appKey: string | undefined): Promise<Map<string, ReturnType<typeof openStored>>> {
	const opened = new Map<string, ReturnType<typeof openStored>>();
	for (const [table, column] of encryptedColumns) {
		for (const row of await sql.all<{id: number; stored: string}>(`SELECT id, ${column} AS stored FROM ${table} WHERE ${column} IS NOT NULL ORDER BY id`)) {
			opened.set(`${table}.${column}:${Number(row.id)}`, openStored(String(row.stored), appKey));
		}
	}

	return opened;
}

const formsOf = (opened: Map<string, ReturnType<typeof openStored>>) => [...new Set([...opened.values()].map(value => value.form))].sort();

function assertNoKey(t: ExecutionContext, appKey: string, outputs: string[]): void {
	for (const output of outputs) {
		t.false(output.includes(appKey), 'the key is never printed');
		t.false(output.includes(appKey.slice('base64:'.length)), 'nor its base64 part');
	}
}

for (const dialect of dialects) {
	test(`demo writes APP_KEY to a new <app root>/.env (0600), prints its path, never the key; the six columns decrypt with it [${dialect}]`, async t => {
		t.timeout(5 * 60_000);
		const folder = scratchFolder(t);
		const database = dialect === 'sqlite' ? undefined : await createTestDatabase('mysql', {platform: false, runbookTables: false});
		t.teardown(async () => database?.destroy());
		const url = database?.url ?? `sqlite:${join(folder, 'demo.sqlite')}`;
		const json = await demo(['--size=tiny', `--database-url=${url}`, '--profile=testing', `--app-root=${folder}`, '--output=json']);
		t.is(json.code, 0, json.stderr);
		const envFile = join(folder, '.env');
		t.is(statSync(envFile).mode & 0o777, 0o600);
		const text = readFileSync(envFile, 'utf8');
		t.regex(text, /^APP_KEY=base64:[A-Za-z\d+/]{43}=\n$/);
		const appKey = text.trim().slice('APP_KEY='.length);
		const document = JSON.parse(json.stdout) as DemoDocument;
		t.is(document.encrypted_attributes, 'envelope');
		t.is(document.app_key_file, envFile);
		assertNoKey(t, appKey, [json.stdout, json.stderr]);

		const opened = await withDatabase(url, async sql => openedColumns(sql, appKey));
		t.deepEqual(formsOf(opened), ['bare-payload', 'envelope', 'plain']);
		t.deepEqual(opened.get('communities.settings:9')?.value, {classroom_links: {}});
		t.is(opened.get('communities.settings:9')?.form, 'envelope');
		t.deepEqual(opened.get('community_points_rules.metadata:1')?.value, {note: 'double points for campus posts'});
		for (const [table, column] of encryptedColumns) {
			t.true([...opened.entries()].some(([key, value]) => key.startsWith(`${table}.${column}:`) && value.form === 'envelope'), `${table}.${column}`);
		}

		// A second run (table output) reuses the key of the .env, says where it is, and prints no key.
		const again = await demo(['--size=tiny', `--database-url=${url}`, '--profile=testing', `--app-root=${folder}`]);
		t.is(again.code, 0, again.stderr);
		t.true(again.stdout.includes(envFile), again.stdout);
		assertNoKey(t, appKey, [again.stdout, again.stderr]);
		t.is(readFileSync(envFile, 'utf8'), text);
		t.deepEqual(await withDatabase(url, async sql => openedColumns(sql, appKey)), opened, 'the same seed and key give the same rows');
	});
}

async function withDatabase<T>(url: string, body: (sql: Sql) => Promise<T>): Promise<T> {
	const database = await openDatabase(parseDatabaseUrl(url));
	try {
		return await body(database.sql);
	} finally {
		await database.close();
	}
}

test('an existing .env keeps its lines and its APP_KEY: the demo encrypts with that key', async t => {
	const folder = scratchFolder(t);
	const appKey = `base64:${Buffer.from(Array.from({length: 32}, (_, index) => 200 - index)).toString('base64')}`;
	const text = `APP_NAME="Community Platform"\nAPP_ENV=local\nAPP_KEY=${appKey}\nDB_CONNECTION=mysql\n# a comment\n`;
	writeFileSync(join(folder, '.env'), text, {mode: 0o640});
	const url = `sqlite:${join(folder, 'demo.sqlite')}`;
	const {code, stdout, stderr} = await demo(['--size=tiny', `--database-url=${url}`, `--app-root=${folder}`, '--output=json']);
	t.is(code, 0, stderr);
	t.is(readFileSync(join(folder, '.env'), 'utf8'), text);
	t.is(statSync(join(folder, '.env')).mode & 0o777, 0o640);
	t.is((JSON.parse(stdout) as DemoDocument).app_key_file, join(folder, '.env'));
	assertNoKey(t, appKey, [stdout, stderr]);
	const opened = await withDatabase(url, async sql => openedColumns(sql, appKey));
	t.is(opened.get('communities.settings:1')?.form, 'envelope');
	t.deepEqual(opened.get('community_members.metadata:6')?.value, {banned_by: 1, reason: 'spam'});
});

test('an existing .env without a key keeps its other lines; its empty APP_KEY= line is filled in', async t => {
	const folder = scratchFolder(t);
	const withoutKey = 'APP_NAME=Platform\nDB_CONNECTION=sqlite';
	const withEmptyKey = 'APP_NAME=Platform\nAPP_KEY=\nDB_CONNECTION=sqlite\n';
	const outcomes: string[] = [];
	for (const [name, text] of [['no-key', withoutKey], ['empty-key', withEmptyKey]] as const) {
		const appRoot = join(folder, name);
		const url = `sqlite:${join(folder, `${name}.sqlite`)}`;
		mkdirSync(appRoot);
		writeFileSync(join(appRoot, '.env'), text);
		const {code, stdout, stderr} = await demo(['--size=tiny', `--database-url=${url}`, `--app-root=${appRoot}`, '--output=json']);
		t.is(code, 0, stderr);
		outcomes.push(readFileSync(join(appRoot, '.env'), 'utf8'));
		const appKey = /APP_KEY=(base64:\S+)/.exec(outcomes.at(-1)!)![1]!;
		assertNoKey(t, appKey, [stdout, stderr]);
		t.is((await withDatabase(url, async sql => openedColumns(sql, appKey))).get('communities.settings:1')?.form, 'envelope');
	}

	t.regex(outcomes[0]!, /^APP_NAME=Platform\nDB_CONNECTION=sqlite\nAPP_KEY=base64:[A-Za-z\d+/]{43}=\n$/);
	t.regex(outcomes[1]!, /^APP_NAME=Platform\nAPP_KEY=base64:[A-Za-z\d+/]{43}=\nDB_CONNECTION=sqlite\n$/);
});

for (const dialect of dialects) {
	test(`demo --legacy-plain writes the six columns as plain JSON and needs no key: no .env [${dialect}]`, async t => {
		t.timeout(5 * 60_000);
		const folder = scratchFolder(t);
		const database = dialect === 'sqlite' ? undefined : await createTestDatabase('mysql', {platform: false, runbookTables: false});
		t.teardown(async () => database?.destroy());
		const url = database?.url ?? `sqlite:${join(folder, 'demo.sqlite')}`;
		const {code, stdout, stderr} = await demo(['--size=tiny', '--legacy-plain', `--database-url=${url}`, '--profile=testing', `--app-root=${folder}`, '--output=json']);
		t.is(code, 0, stderr);
		t.false(existsSync(join(folder, '.env')));
		const document = JSON.parse(stdout) as DemoDocument;
		t.is(document.encrypted_attributes, 'plain');
		t.is(document.app_key_file, null);
		const opened = await withDatabase(url, async sql => openedColumns(sql, undefined));
		t.deepEqual(formsOf(opened), ['plain']);
		t.true(opened.size > 50);
		t.is(opened.get('communities.settings:9')?.plaintext, '{"classroom_links":{}}');
		t.is(opened.get('community_members.preferences:10')?.plaintext, '[]');
	});
}

test('APP_KEY set in the environment wins, as for the tool itself: the demo encrypts with it and writes no .env', async t => {
	const folder = scratchFolder(t);
	const appKey = `base64:${Buffer.alloc(32, 0x5a).toString('base64')}`;
	const url = `sqlite:${join(folder, 'demo.sqlite')}`;
	const {code, stdout, stderr} = await demo(['--size=tiny', `--database-url=${url}`, `--app-root=${folder}`, '--output=json'], {APP_KEY: appKey});
	t.is(code, 0, stderr);
	t.false(existsSync(join(folder, '.env')));
	t.is((JSON.parse(stdout) as DemoDocument).app_key_file, null);
	assertNoKey(t, appKey, [stdout, stderr]);
	t.deepEqual((await withDatabase(url, async sql => openedColumns(sql, appKey))).get('community_members.preferences:3'), {form: 'envelope', plaintext: '{"digest":"daily"}', value: {digest: 'daily'}});
});
