import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import {generateDemo} from '../../source/db/demo/generate-demo.js';
import {demoAppKey} from '../../source/db/demo/json-columns.js';
import type {Sql} from '../../source/db/sql.js';
import {createTestDatabase, dialects, type TestDatabase} from '../helpers/databases.js';
import {encryptedColumns, openStored} from '../helpers/encrypted-columns.js';
import {buildDataset} from './dataset.js';
import {checksums, cli, type CliResult, maskRunFields, normaliseRow, platformTablesChecked, temporaryFolder} from './helpers.js';

// DESIGN.md §8 success test, through the real CLI on the demo data (tiny): members active / left / pending / banned /
// soft-deleted and existing activities. Run every writing step, roll everything back, and every platform table's
// checksum equals the one taken before the run; the flag files are back byte for byte. Then the same steps again
// give the same result as the first time, and rolling back twice is harmless.

const demoNow = new Date('2026-11-25T12:00:00Z');
const originalFlags = '{\n    "other_flag": true\n}\n';

type Step = {name: string; args: string[]};

function steps(): Step[] {
	return [
		{name: 'seed-baseline', args: ['seed-baseline', '--force']},
		{name: 'backfill-membership', args: ['backfill-membership', '--source=classrooms', '--batch=50']},
		{name: 'migrate-legacy-activity', args: ['migrate-legacy-activity', '--chunk=40']},
		{name: 'enable-feature', args: ['enable-feature', '--flag=community_profile_activity', '--percentage=100', '--segment=internal', '--community=campus-general,peer-tutors', '--force']},
	];
}

async function runAll(t: {is: (a: unknown, b: unknown, message?: string) => void}, common: string[]): Promise<Record<string, Record<string, unknown>>> {
	const metrics: Record<string, Record<string, unknown>> = {};
	for (const step of steps()) {
		const result = await cli([...step.args, ...common, '--output=json']);
		t.is(result.code, 0, `${step.name} failed: ${result.stderr}`);
		metrics[step.name] = result.json?.metrics as Record<string, unknown>;
	}

	return metrics;
}

async function rollbackUntilDone(common: string[]): Promise<CliResult[]> {
	const results: CliResult[] = [];
	for (let attempt = 0; attempt < 8; attempt++) {
		const result = await cli(['rollback', ...common, '--output=json']);
		results.push(result);
		if (result.code !== 0 || result.json?.target_run === null) {
			break;
		}
	}

	return results;
}

/** Members and activities without ids (a second run inserts under new auto-increment ids), by natural key. */
async function resultRows(sql: Sql, runStarts: string[], table: string): Promise<Record<string, unknown>[]> {
	// Encryption draws a fresh IV each time, so the same value is compared as its stored form and its plaintext.
	const encrypted = new Set<string>(encryptedColumns.filter(([name]) => name === table).map(([, column]) => column));
	const mask = (row: Record<string, unknown>) => {
		const normalised = normaliseRow(row);
		for (const column of encrypted) {
			if (typeof normalised[column] === 'string') {
				const opened = openStored(normalised[column], demoAppKey(42));
				normalised[column] = opened.form === 'plain' ? opened.plaintext : `${opened.form}:${opened.plaintext}`;
			}
		}

		const masked = maskRunFields(normalised);
		delete masked.id;

		for (const [key, value] of Object.entries(masked)) {
			if (typeof value === 'string' && runStarts.includes(value)) {
				masked[key] = '<run start>';
			}
		}

		return masked;
	};

	const order = {community_members: 'community_id, user_id', profile_activities: 'idempotency_key', communities: 'id'}[table];
	const rows = (await sql.all<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY ${order}`)).map(mask);
	if (table === 'communities') {
		for (const row of rows) {
			row.settings = typeof row.settings === 'string' ? row.settings.replaceAll(/"updated_at"\s*:\s*"[^"]*"/g, '"updated_at":"*"') : row.settings;
		}
	}

	return rows;
}

async function resultTables(sql: Sql, runStarts: string[]): Promise<Record<string, unknown[]>> {
	return {
		members: await resultRows(sql, runStarts, 'community_members'),
		activities: await resultRows(sql, runStarts, 'profile_activities'),
		communities: await resultRows(sql, runStarts, 'communities'),
	};
}

async function runStartTimes(sql: Sql): Promise<string[]> {
	const rows = await sql.all<{started_at: string}>(`SELECT started_at FROM runbook_runs WHERE mode = 'execute'`);
	return rows.map(row => String(row.started_at).slice(0, 19));
}

for (const dialect of dialects) {
	test(`run → rollback restores every table's checksum; run again is identical; a second rollback is a no-op [${dialect}]`, async t => {
		t.timeout(10 * 60_000);
		const database: TestDatabase = await createTestDatabase(dialect);
		try {
			await generateDemo(database.sql, {size: 'tiny', seed: 42, now: demoNow});
			const appRoot = temporaryFolder();
			mkdirSync(join(appRoot, 'storage', 'app'), {recursive: true});
			// The demo's encrypted columns are under the seed's key; the platform's .env holds it (DESIGN.md §2).
			writeFileSync(join(appRoot, '.env'), `APP_KEY=${demoAppKey(42)}\n`);
			const flagsFile = join(appRoot, 'storage', 'app', 'feature-flags.json');
			const rolloutsFile = join(appRoot, 'storage', 'app', 'feature-rollouts.json');
			writeFileSync(flagsFile, originalFlags);
			const common = [`--database-url=${database.url}`, `--app-root=${appRoot}`, `--evidence-dir=${join(appRoot, 'evidence')}`];
			const before = await checksums(database.sql);

			const first = await runAll(t, common);
			t.true(Number(first['backfill-membership']?.members_created) > 0, 'the demo data gives the backfill something to create');
			t.true(Number(first['backfill-membership']?.members_reactivated) > 0, 'and members to reactivate (left / pending / soft-deleted)');
			t.true(Number(first['migrate-legacy-activity']?.records_created) > 0);
			t.not(readFileSync(flagsFile, 'utf8'), originalFlags, 'enable-feature changed the flags file');
			const firstRows = await resultTables(database.sql, await runStartTimes(database.sql));

			const rollbacks = await rollbackUntilDone(common);
			t.deepEqual(
				rollbacks.map(result => result.code),
				[0, 0, 0, 0, 0],
				rollbacks.map(result => result.stderr).join('\n'),
			);
			t.deepEqual(
				rollbacks.slice(0, 4).map(result => (result.json?.params as {run?: string}).run !== null),
				[true, true, true, true],
			);
			t.regex(rollbacks[0]!.stderr, /Rolling back run \S+ \(enable-feature\), started /);
			t.regex(rollbacks[4]!.stderr, /Nothing to undo/i);
			t.is((rollbacks[0]!.json?.metrics as Record<string, number>).files_restored, 2);
			t.true((rollbacks[2]!.json?.metrics as Record<string, number>).rows_restored > 0, 'the backfill rollback restored reactivated / updated members');

			const after = await checksums(database.sql);
			const differing = platformTablesChecked.filter(table => after[table] !== before[table]);

			t.is(readFileSync(flagsFile, 'utf8'), originalFlags, 'the flags file is back byte for byte (flag off)');
			t.false(existsSync(rolloutsFile), 'the rollouts file did not exist before the run and is gone again');
			const statuses = await database.sql.all<{job: string; status: string}>(`SELECT job, status FROM runbook_runs WHERE mode = 'execute' ORDER BY id`);
			t.deepEqual(
				statuses.map(row => row.status),
				['rolled-back', 'rolled-back', 'rolled-back', 'rolled-back'],
			);

			// The same steps again: the same metrics and the same rows (run ids, sync times and run-start stamps masked).
			const second = await runAll(t, common);
			t.deepEqual(second, first);
			t.deepEqual(await resultTables(database.sql, await runStartTimes(database.sql)), firstRows);

			const again = await rollbackUntilDone(common);
			t.is(again.at(-1)!.code, 0);
			const afterSecond = await checksums(database.sql);
			const noop = await cli(['rollback', ...common, '--output=json']);
			t.is(noop.code, 0, noop.stderr);
			t.regex(noop.stderr, /Nothing to undo/i);
			t.deepEqual(noop.json?.metrics, {rows_deleted: 0, rows_restored: 0, files_restored: 0, conflicts: 0, already_absent: 0});
			t.deepEqual(await checksums(database.sql), afterSecond, 'the no-op rollback changed nothing');
			// Last, so every other check above reports too: the §8 success test.
			t.deepEqual(differing, [], `checksums after run + rollback differ from before the run for: ${differing.join(', ')}`);
			const differingSecond = platformTablesChecked.filter(table => afterSecond[table] !== before[table]);
			t.deepEqual(differingSecond, [], `checksums after the second run + rollback differ from before the run for: ${differingSecond.join(', ')}`);
		} finally {
			await database.destroy();
		}
	});
}

for (const dialect of dialects) {
	test(`run → rollback on data where the migration updates existing activities and the backfill reactivates members: checksums back [${dialect}]`, async t => {
		t.timeout(10 * 60_000);
		const database: TestDatabase = await createTestDatabase(dialect);
		try {
			await buildDataset(database.sql, {users: 300, enrollments: 1200, posts: 300, comments: 300, certificates: 60});
			const folder = temporaryFolder();
			const common = [`--database-url=${database.url}`, `--app-root=${folder}`, `--evidence-dir=${join(folder, 'evidence')}`];
			const before = await checksums(database.sql);
			const backfill = await cli(['backfill-membership', '--source=classrooms', '--batch=64', ...common, '--output=json']);
			t.is(backfill.code, 0, backfill.stderr);
			const migrate = await cli(['migrate-legacy-activity', '--chunk=64', ...common, '--output=json']);
			t.is(migrate.code, 0, migrate.stderr);
			t.true(Number((migrate.json?.metrics as Record<string, number>).records_updated) > 0, 'existing activities with other content were updated');
			t.true(Number((backfill.json?.metrics as Record<string, number>).members_reactivated) > 0);
			const rollbacks = await rollbackUntilDone(common);
			t.deepEqual(
				rollbacks.map(result => result.code),
				[0, 0, 0],
				rollbacks.map(result => result.stderr).join('\n'),
			);
			t.deepEqual((rollbacks[0]!.json?.metrics as Record<string, number>).rows_restored, (migrate.json?.metrics as Record<string, number>).records_updated);
			const after = await checksums(database.sql);
			const differing = platformTablesChecked.filter(table => after[table] !== before[table]);
			t.deepEqual(differing, [], `checksums after run + rollback differ from before the run for: ${differing.join(', ')}`);
		} finally {
			await database.destroy();
		}
	});
}
