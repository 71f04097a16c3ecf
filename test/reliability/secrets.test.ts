import {createHash, randomBytes} from 'node:crypto';
import {readdirSync, readFileSync, statSync} from 'node:fs';
import {createServer, type IncomingMessage} from 'node:http';
import {join} from 'node:path';
import test from 'ava';
import {generateDemo} from '../../source/db/demo/generate-demo.js';
import {demoAppKey} from '../../source/db/demo/json-columns.js';
import {createTestDatabase, mysqlServerUrl} from '../helpers/databases.js';
import {cli, temporaryFolder} from './helpers.js';

// DESIGN.md §9: passwords, tokens and webhook URLs never appear in output, evidence or runbook_runs.params. A full
// run with a password in the MariaDB URL, an API token and a webhook URL, then every byte it produced is searched.

const password = 'S3cret-Pa55';
const user = 'runbook_secret_user';

function filesUnder(folder: string): string[] {
	const files: string[] = [];
	for (const entry of readdirSync(folder)) {
		const path = join(folder, entry);
		if (statSync(path).isDirectory()) {
			files.push(...filesUnder(path));
		} else {
			files.push(path);
		}
	}

	return files;
}

test('no password, API token or webhook URL in stdout, stderr, evidence files or runbook_runs.params after a full run [mysql]', async t => {
	t.timeout(10 * 60_000);
	const database = await createTestDatabase('mysql', {platform: false, runbookTables: false});
	const schema = database.url.split('/').at(-1)!;
	const received: string[] = [];
	const hook = createServer((request: IncomingMessage, response) => {
		let body = '';
		request.on('data', chunk => {
			body += String(chunk);
		});
		request.on('end', () => {
			received.push(body);
			response.writeHead(200, {'content-type': 'text/plain'}).end('ok');
		});
	});
	await new Promise<void>(resolve => {
		hook.listen(0, '127.0.0.1', resolve);
	});
	const hookPath = `/services/T000/B000/${randomBytes(12).toString('hex')}`;
	const webhook = `http://127.0.0.1:${(hook.address() as {port: number}).port}${hookPath}`;
	try {
		await generateDemo(database.sql, {size: 'tiny', seed: 5, now: new Date('2026-11-25T12:00:00Z')});
		await database.sql.run(`DROP USER IF EXISTS '${user}'@'%'`);
		await database.sql.run(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
		await database.sql.run(`GRANT ALL PRIVILEGES ON \`${schema}\`.* TO '${user}'@'%'`);
		// An API token of a real user: `<id>|<plain>` with sha256(plain) stored, as Sanctum does.
		const plain = `Tk${randomBytes(20).toString('hex')}`;
		const owner = await database.sql.get<{id: number}>('SELECT id FROM users ORDER BY id LIMIT 1');
		const inserted = await database.sql.run(
			'INSERT INTO personal_access_tokens (tokenable_type, tokenable_id, name, token, abilities, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
			['App\\Models\\User', Number(owner!.id), 'secrets test', createHash('sha256').update(plain).digest('hex'), '["*"]', '2026-11-25 00:00:00', '2026-11-25 00:00:00'],
		);
		const token = `${inserted.insertId}|${plain}`;
		const url = mysqlServerUrl.replace(/^mysql:\/\/[^@]*@/, `mysql://${user}:${password}@`) + `/${schema}`;
		t.true(url.includes(password));
		const folder = temporaryFolder();
		const evidence = join(folder, 'evidence');
		const common = [`--database-url=${url}`, '--profile=testing', `--app-root=${folder}`, `--evidence-dir=${evidence}`, `--notify-webhook=${webhook}`];
		// The demo's encrypted columns need the platform's key: a secret like any other.
		const appKey = demoAppKey(5);
		const env = {RUNBOOK_API_TOKEN: token, APP_KEY: appKey};

		const outputs = [
			await cli(['run', '--yes', '--backup-ack', ...common, '--output=json'], {env}),
			await cli(['run', '--yes', '--backup-ack', ...common, '--events=json'], {env}),
			await cli(['status', ...common, '--output=json'], {env}),
			await cli(['rollback', ...common, '--output=json'], {env}),
			await cli(['rollback', ...common, '--output=plain'], {env}),
			// A connection failure names the host, never the password.
			await cli(['status', `--database-url=mysql://${user}:${password}@127.0.0.1:1/${schema}`, `--app-root=${folder}`]),
		];
		t.is(outputs[0]!.code, 0, `the full run should succeed: ${outputs[0]!.stderr}`);
		t.is(outputs[5]!.code, 8, outputs[5]!.stderr);
		t.true(received.length > 0, 'the notify step posted to the webhook');

		const secrets = {password, token, plain, webhook, webhookPath: hookPath, appKey, appKeyBytes: appKey.slice('base64:'.length)};
		const haystacks: Array<[string, string]> = [];
		for (const [index, output] of outputs.entries()) {
			haystacks.push([`stdout of command ${index}`, output.stdout], [`stderr of command ${index}`, output.stderr]);
		}

		const files = filesUnder(evidence);
		t.true(files.length > 5, 'the runs wrote evidence');
		for (const file of files) {
			haystacks.push([file, readFileSync(file, 'utf8')]);
		}

		const params = await database.sql.all<{params: string}>('SELECT params FROM runbook_runs');
		t.true(params.length > 0);
		haystacks.push(['runbook_runs.params', params.map(row => row.params).join('\n')]);
		const leaks = haystacks.flatMap(([where, text]) => Object.entries(secrets).filter(([, secret]) => text.includes(secret)).map(([name]) => `${name} in ${where}`));
		t.deepEqual(leaks, []);
	} finally {
		hook.close();
		await database.sql.run(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => undefined);
		await database.destroy();
	}
});
