import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import {dialects, createTestDatabase} from '../helpers/databases.js';
import {buildDataset} from './dataset.js';
import {checksums, cli, temporaryFolder} from './helpers.js';

// An evidence folder that cannot be written refuses the run (exit 3) before anything reaches the database. Tests run
// as root, which ignores permission bits, so the folder lies under a regular file: mkdir fails with ENOTDIR for
// everyone.

const small = {users: 80, enrollments: 300, posts: 40, comments: 40, certificates: 10};

async function bookkeeping(sql: import('../../source/db/sql.js').Sql): Promise<number[]> {
	const counts: number[] = [];
	for (const table of ['runbook_runs', 'runbook_batches', 'runbook_undo', 'runbook_locks']) {
		counts.push(Number((await sql.get<{n: unknown}>(`SELECT COUNT(*) AS n FROM ${table}`))!.n));
	}

	return counts;
}

for (const dialect of dialects) {
	test(`an unwritable evidence folder refuses the run (exit 3) and writes nothing to the database [${dialect}]`, async t => {
		t.timeout(10 * 60_000);
		const database = await createTestDatabase(dialect);
		try {
			await buildDataset(database.sql, small);
			const folder = temporaryFolder();
			mkdirSync(join(folder, 'x'));
			writeFileSync(join(folder, 'x', 'file'), 'a regular file, not a folder\n');
			const evidenceDir = join(folder, 'x', 'file', 'evidence');
			const before = await checksums(database.sql);
			const common = [`--database-url=${database.url}`, `--app-root=${folder}`, `--evidence-dir=${evidenceDir}`, '--output=json'];

			for (const args of [
				['backfill-membership', '--source=classrooms', '--batch=50'],
				['migrate-legacy-activity', '--chunk=50'],
				['seed-baseline', '--force'],
			]) {
				const result = await cli([...args, ...common]);
				t.is(result.code, 3, `${args[0]!}: ${result.stderr}`);
				t.regex(result.stderr, /evidence/i, `${args[0]!} names the evidence folder`);
				t.is((result.json?.error as {code: number}).code, 3);
			}

			t.deepEqual(await checksums(database.sql), before, 'no platform table changed');
			t.deepEqual(await bookkeeping(database.sql), [0, 0, 0, 0], 'no runbook_* row was written');

			// Rollback refuses the same way: the run stays as it was.
			const okFolder = join(folder, 'evidence-ok');
			const run = await cli(['backfill-membership', '--source=classrooms', `--database-url=${database.url}`, `--app-root=${folder}`, `--evidence-dir=${okFolder}`, '--output=json']);
			t.is(run.code, 0, run.stderr);
			const afterRun = await checksums(database.sql);
			const counts = await bookkeeping(database.sql);
			const rollback = await cli(['rollback', ...common]);
			t.is(rollback.code, 3, rollback.stderr);
			t.deepEqual(await checksums(database.sql), afterRun);
			t.deepEqual(await bookkeeping(database.sql), counts);
		} finally {
			await database.destroy();
		}
	});
}
