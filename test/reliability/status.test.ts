import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import {existingTables} from '../../source/db/platform-schema.js';
import {createTestDatabase, dialects} from '../helpers/databases.js';
import {buildDataset} from './dataset.js';
import {checksums, cli, temporaryFolder} from './helpers.js';

// `status` reads only: without the runbook tables it says so and creates nothing; with runs it lists them, the last
// run's batches, the lock holder (stale or alive) and the flag state.

for (const dialect of dialects) {
	test(`status: read-only, says when the runbook tables are missing, lists runs, batches, lock and flag [${dialect}]`, async t => {
		t.timeout(10 * 60_000);
		const database = await createTestDatabase(dialect, {runbookTables: false});
		try {
			await buildDataset(database.sql, {users: 60, enrollments: 200, posts: 20, comments: 20, certificates: 5});
			const folder = temporaryFolder();
			const common = [`--database-url=${database.url}`, `--app-root=${folder}`, `--evidence-dir=${join(folder, 'evidence')}`];
			const missing = await cli(['status', ...common, '--output=json']);
			t.is(missing.code, 0, missing.stderr);
			t.is(missing.json?.runbook_tables, false);
			t.deepEqual(missing.json?.runs, []);
			t.false((await existingTables(database.sql)).has('runbook_runs'), 'status created no table');

			const run = await cli(['backfill-membership', '--source=classrooms', '--batch=40', ...common, '--output=json']);
			t.is(run.code, 0, run.stderr);
			mkdirSync(join(folder, 'storage', 'app'), {recursive: true});
			writeFileSync(join(folder, 'storage', 'app', 'feature-flags.json'), '{"community_profile_activity": true}\n');
			await database.sql.run('INSERT INTO runbook_locks (name, run_id, host, pid, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)', ['community-runbook', 'ghost-run', 'elsewhere.example', 77, '2026-01-01 00:00:00', '2026-01-01 00:00:00']);
			const before = await checksums(database.sql);
			const runsBefore = await database.sql.all('SELECT * FROM runbook_runs');
			const status = await cli(['status', ...common, '--output=json']);
			t.is(status.code, 0, status.stderr);
			const runs = status.json?.runs as Array<Record<string, unknown>>;
			t.is(runs.length, 1);
			t.like(runs[0]!, {run_id: run.json?.run_id, job: 'backfill-membership', mode: 'execute', status: 'succeeded'});
			t.deepEqual((runs[0]!.metrics as Record<string, number>).members_created, (run.json?.metrics as Record<string, number>).members_created);
			t.true(Number((status.json?.batches as {count: number}).count) >= 2);
			t.like(status.json?.lock as Record<string, unknown>, {run_id: 'ghost-run', host: 'elsewhere.example', pid: 77, stale: true});
			t.like(status.json?.flag as Record<string, unknown>, {name: 'community_profile_activity', on: true, percentage: 100});
			const table = await cli(['status', ...common]);
			t.regex(table.stdout, /backfill-membership/);
			t.regex(table.stdout, /Lock: held by run ghost-run on elsewhere\.example \(pid 77\)/);
			t.regex(table.stdout, /stale/);
			t.regex(table.stdout, /Flag community_profile_activity: on/);
			t.deepEqual(await checksums(database.sql), before, 'status wrote nothing');
			t.deepEqual(await database.sql.all('SELECT * FROM runbook_runs'), runsBefore);
		} finally {
			await database.destroy();
		}
	});
}
