import {execFile} from 'node:child_process';
import {existsSync, readFileSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {testEachDialect} from '../helpers/databases.js';
import {createAppRoot} from '../helpers/profile-feed.js';
import {takeSnapshot} from '../../source/evidence/snapshot.js';
import {cliEntry} from '../helpers/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

type CliResult = {code: number; stdout: string; stderr: string};

async function cli(args: string[]): Promise<CliResult> {
	return new Promise(resolve => {
		const child = execFile(process.execPath, [...cliEntry, ...args], {cwd: root, env: {...process.env, CI: 'true', DATABASE_URL: ''}, timeout: 60_000}, (error, stdout, stderr) => {
			resolve({code: error ? Number((error as {code?: number}).code ?? 1) : 0, stdout, stderr});
		});
		child.stdin?.end();
	});
}

const tables = ['communities', 'runbook_runs', 'runbook_undo', 'runbook_locks'];

for (const value of ['101', 'ten']) {
	testEachDialect(`enable-feature --percentage=${value} exits 2 naming --percentage, nothing written`, async (t, database) => {
		const appRoot = createAppRoot();
		const before = await takeSnapshot(database.sql, tables);
		const result = await cli(['enable-feature', '--flag=community_profile_activity', `--percentage=${value}`, `--database-url=${database.url}`, `--app-root=${appRoot}`, '--force']);
		t.is(result.code, 2, result.stderr);
		t.regex(result.stderr, /--percentage must be an integer 0\.\.100/);
		t.deepEqual(readdirSync(join(appRoot, 'storage', 'app')), []);
		t.deepEqual(await takeSnapshot(database.sql, tables), before);
	});
}

testEachDialect('enable-feature through the CLI: JSON document, files written; production refuses without --force', async (t, database) => {
	const appRoot = createAppRoot();
	const common = ['enable-feature', '--flag=community_profile_activity', '--segment=internal', `--database-url=${database.url}`, `--app-root=${appRoot}`, '--output=json'];
	const refused = await cli([...common, '--profile=production']);
	t.is(refused.code, 2, refused.stderr);
	t.regex(refused.stderr, /without --force/);
	t.false(existsSync(join(appRoot, 'storage', 'app', 'feature-flags.json')));

	const result = await cli([...common, '--profile=testing']);
	t.is(result.code, 0, result.stderr);
	const document = JSON.parse(result.stdout) as {command: string; status: string; metrics: Record<string, number>};
	t.is(document.command, 'enable-feature');
	t.is(document.status, 'succeeded');
	t.is(document.metrics.flags_changed, 1);
	t.deepEqual(JSON.parse(readFileSync(join(appRoot, 'storage', 'app', 'feature-flags.json'), 'utf8')), {community_profile_activity: true});
});
