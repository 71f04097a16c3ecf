import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import test from 'ava';
import {createTestDatabase, dialects} from '../helpers/databases.js';
import {isOneLineError, runCli} from '../helpers/cli.js';
import {helpSnapshot} from '../../source/cli/help-snapshot.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'runbook-cli-'));

const badInputs: Array<[string, string[], number, RegExp]> = [
	['unknown command', ['frobnicate'], 2, /unknown command "frobnicate"/],
	['unknown option', ['seed-baseline', '--frob'], 2, /unknown option '--frob'/],
	['bad --output', ['seed-baseline', '--output=xml'], 2, /--output must be table, plain or json/],
	['bad URL scheme', ['seed-baseline', '--database-url=foo://x'], 2, /is not a mysql:\/\/, mariadb:\/\/ or sqlite: URL/],
	['URL without database', ['seed-baseline', '--database-url=mysql://root@127.0.0.1:3306'], 2, /names no database/],
	['MariaDB down', ['seed-baseline', '--force', '--database-url=mysql://root:hunter2@127.0.0.1:1/x'], 8, /Cannot reach the database at 127\.0\.0\.1:1/],
	['missing SQLite file', ['seed-baseline', '--database-url=sqlite:/nonexistent/nothing.sqlite'], 2, /does not exist/],
	['guide without a terminal', ['guide'], 2, /needs an interactive terminal.*run --yes/],
	['run without --yes', ['run', '--database-url=sqlite:/nonexistent/x.sqlite'], 2, /run needs --yes/],
	['run with an unknown step', ['run', '--yes', '--from=nope'], 2, /--from: unknown step "nope"/],
];

for (const [title, args, code, message] of badInputs) {
	test(`bad input: ${title} → exit ${code}, one line, no stack`, async t => {
		const cwd = scratch();
		const result = await runCli(args, {cwd});
		t.is(result.code, code, result.stderr);
		t.true(isOneLineError(result.stderr), result.stderr);
		t.regex(result.stderr, message);
		t.false(result.stderr.includes('hunter2'));
		t.is(result.stdout, '');
	});
}

test('--output=json on failure prints one JSON document with the error', async t => {
	const result = await runCli(['seed-baseline', '--database-url=foo://x', '--output=json'], {cwd: scratch()});
	t.is(result.code, 2);
	const document = JSON.parse(result.stdout) as Record<string, unknown>;
	t.like(document, {command: 'seed-baseline', status: 'failed', error: {code: 2}});
});

test('--version and --help answer on stdout with exit 0', async t => {
	const version = await runCli(['--version']);
	t.is(version.code, 0);
	t.regex(version.stdout, /^\d+\.\d+\.\d+\n$/);
	const help = await runCli(['backfill-membership', '--help']);
	t.is(help.code, 0);
	t.regex(help.stdout, /--source <source>/);
	t.regex(help.stdout, /--database-url <url>/);
});

test('the bin prints the same help as the CLI builds from the commands (dist/help.json when the build is fresh)', async t => {
	const snapshot = await helpSnapshot('0.1.0');
	t.regex(snapshot['']!, /Commands:[\s\S]*backfill-membership/);
	for (const [args, key] of [[['--help'], ''], [['-h'], ''], [['rollback', '--help'], 'rollback'], [['backfill-membership', '-h'], 'backfill-membership']] as const) {
		const result = await runCli(args);
		t.is(result.code, 0, result.stderr);
		t.is(result.stdout, snapshot[key], args.join(' '));
		t.is(result.stderr, '');
	}
});

for (const dialect of dialects) {
	test(`seed-baseline --output=json twice: 15 created, then 15 unchanged [${dialect}]`, async t => {
		const database = await createTestDatabase(dialect, {runbookTables: false});
		t.teardown(async () => database.destroy());
		const cwd = scratch();
		const args = ['seed-baseline', '--force', '--output=json', `--database-url=${database.url}`];
		const first = await runCli(args, {cwd});
		t.is(first.code, 0, first.stderr);
		const firstDocument = JSON.parse(first.stdout) as {metrics: Record<string, number>; status: string; evidence_dir: string};
		t.is(firstDocument.status, 'succeeded');
		t.deepEqual(firstDocument.metrics, {categories_created: 5, categories_updated: 0, levels_created: 4, levels_updated: 0, rules_created: 6, rules_updated: 0, records_unchanged: 0});
		t.true(firstDocument.evidence_dir.startsWith(join(cwd, 'storage/app/upgrade/stage11')));
		t.regex(first.stderr, /created the runbook tables/);
		const second = await runCli(args, {cwd});
		t.is(second.code, 0, second.stderr);
		t.deepEqual((JSON.parse(second.stdout) as {metrics: Record<string, number>}).metrics, {categories_created: 0, categories_updated: 0, levels_created: 0, levels_updated: 0, rules_created: 0, rules_updated: 0, records_unchanged: 15});
	});
}

test('the production profile refuses seed-baseline without --force, writing nothing', async t => {
	const database = await createTestDatabase('mysql');
	t.teardown(async () => database.destroy());
	const result = await runCli(['seed-baseline', `--database-url=${database.url}`], {cwd: scratch()});
	t.is(result.code, 2);
	t.true(isOneLineError(result.stderr), result.stderr);
	t.regex(result.stderr, /without --force/);
	const rows = await database.sql.get<{n: number}>('SELECT COUNT(*) AS n FROM community_categories');
	t.is(Number(rows?.n), 0);
});

test('the table output shows headline-case metric labels', async t => {
	const database = await createTestDatabase('sqlite');
	t.teardown(async () => database.destroy());
	const result = await runCli(['seed-baseline', `--database-url=${database.url}`], {cwd: scratch()});
	t.is(result.code, 0, result.stderr);
	t.regex(result.stdout, /Categories Created\s+│\s+5/);
	t.regex(result.stdout, /Records Unchanged\s+│\s+0/);
});
