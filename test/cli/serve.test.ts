import {spawn} from 'node:child_process';
import {once} from 'node:events';
import {createServer, type Server} from 'node:net';
import {rmSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import test, {type ExecutionContext} from 'ava';
import {createTestDatabase} from '../helpers/databases.js';
import {createAppRoot, seedProfileFeed, tokens, writeFlags} from '../helpers/profile-feed.js';
import {cliEntry} from '../helpers/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

type Child = {readonly stderr: () => string; readonly stdout: () => string; readonly exit: Promise<number | null>; readonly kill: (signal: NodeJS.Signals) => void};

function startCli(args: string[]): Child {
	const env: NodeJS.ProcessEnv = {...process.env, CI: '1', NO_COLOR: '1'};
	delete env.DATABASE_URL;
	delete env.APP_FEATURE_FLAGS;
	const child = spawn(process.execPath, [...cliEntry, ...args], {cwd: root, env, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => {
		stdout += chunk.toString();
	});
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	const exit = once(child, 'exit').then(([code]) => code as number | null);
	return {stderr: () => stderr, stdout: () => stdout, exit, kill: signal => child.kill(signal)};
}

async function freePort(): Promise<number> {
	const server = createServer();
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const {port} = server.address() as {port: number};
	server.close();
	await once(server, 'close');
	return port;
}

async function waitFor(t: ExecutionContext, child: Child, pattern: RegExp, timeoutMs = 90_000): Promise<RegExpExecArray> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const match = pattern.exec(child.stderr());
		if (match) {
			return match;
		}

		await new Promise(resolve => setTimeout(resolve, 50));
	}

	child.kill('SIGKILL');
	t.fail(`timed out waiting for ${pattern}; stderr: ${child.stderr()}`);
	throw new Error('unreachable');
}

test('serve answers on the chosen port, then stops with exit 0 on SIGTERM', async t => {
	const database = await createTestDatabase('sqlite');
	const appRoot = createAppRoot();
	t.teardown(async () => {
		await database.destroy();
		rmSync(appRoot, {recursive: true, force: true});
	});
	await seedProfileFeed(database.sql);
	await database.close();
	writeFlags(appRoot, {community_profile_activity: true});
	const port = await freePort();
	const child = startCli(['serve', `--port=${port}`, `--database-url=${database.url}`, `--app-root=${appRoot}`]);
	const [line] = await waitFor(t, child, /^Serving the profile-activity API at .+ \(Ctrl-C to stop\)$/m);
	t.is(line, `Serving the profile-activity API at http://127.0.0.1:${port}/api/v1/me/profile-activity (Ctrl-C to stop)`);
	const response = await fetch(`http://127.0.0.1:${port}/api/v1/me/profile-activity?per_page=3`, {headers: {authorization: `Bearer ${tokens.alice}`}});
	t.is(response.status, 200);
	const body = (await response.json()) as {data: Array<{id: number}>};
	t.deepEqual(body.data.map(item => item.id), [9, 2, 6]);
	const unauthenticated = await fetch(`http://127.0.0.1:${port}/api/v1/me/profile-activity`);
	t.is(unauthenticated.status, 401);
	child.kill('SIGTERM');
	t.is(await child.exit, 0, child.stderr());
	t.false(child.stderr().includes(tokens.alice.slice(2)), 'the token never reaches the output');
	t.regex(child.stdout(), /Stopped serving/);
});

test('serve --port=abc, 0 and 65536 are usage errors on one line (exit 2)', async t => {
	for (const value of ['abc', '0', '65536']) {
		const child = startCli(['serve', `--port=${value}`, '--database-url=sqlite::memory:']);
		t.is(await child.exit, 2, value);
		const lines = child.stderr().trimEnd().split('\n');
		t.is(lines.length, 1, child.stderr());
		t.regex(lines[0]!, /^error: --port must be a whole number from 1 to 65535\b/);
	}
});

test('a port in use is a usage error naming it (exit 2)', async t => {
	const database = await createTestDatabase('sqlite');
	const blocker: Server = createServer();
	blocker.listen(0, '127.0.0.1');
	await once(blocker, 'listening');
	t.teardown(async () => {
		blocker.close();
		await database.destroy();
	});
	const {port} = blocker.address() as {port: number};
	await database.close();
	const child = startCli(['serve', `--port=${port}`, `--database-url=${database.url}`]);
	t.is(await child.exit, 2, child.stderr());
	t.is(child.stderr().trimEnd(), `error: port ${port} is in use, pick another with --port`);
});

test('serve on a database without the platform tables is a prerequisite failure (exit 3)', async t => {
	const database = await createTestDatabase('sqlite', {platform: false});
	t.teardown(async () => database.destroy());
	await database.close();
	const child = startCli(['serve', `--port=${await freePort()}`, `--database-url=${database.url}`]);
	t.is(await child.exit, 3, child.stderr());
	t.regex(child.stderr(), /^error: The platform tables users, communities, profile_activities, personal_access_tokens are missing/);
});
