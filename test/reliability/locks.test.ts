import {hostname} from 'node:os';
import {join} from 'node:path';
import test from 'ava';
import mysql from 'mysql2/promise';
import {lockName} from '../../source/db/bookkeeping/run-lock.js';
import {createTestDatabase, dialects, mysqlServerUrl, type TestDatabase} from '../helpers/databases.js';
import {buildDataset} from './dataset.js';
import {killJobs, outcomeOf, referenceOutcome} from './kill-trials.js';
import {cli, temporaryFolder} from './helpers.js';

// DESIGN.md §6 "Run lock": two operators at once, a stale lock of a killed process on this host, and a lock of
// another host with an old heartbeat (exit 6 without --break-lock, taken over with it).

const backfill = killJobs[0]!;
const small = {users: 200, enrollments: 900, posts: 30, comments: 30, certificates: 10};

function common(database: TestDatabase, folder: string): string[] {
	return [`--database-url=${database.url}`, `--app-root=${folder}`, `--evidence-dir=${join(folder, 'evidence')}`];
}

/** The GET_LOCK name the tool uses on MariaDB (per database, DESIGN.md §6 "one run at a time per database"). */
function serverLockName(database: TestDatabase): string {
	return `${lockName}:${database.url.split('/').at(-1)!}`.slice(0, 64);
}

for (const dialect of dialects) {
	test(`a second backfill while the first runs: exit 6 naming the holder; the first finishes unharmed [${dialect}]`, async t => {
		t.timeout(10 * 60_000);
		const reference = await referenceOutcome(dialect, backfill, small);
		const database = await createTestDatabase(dialect);
		try {
			await buildDataset(database.sql, small);
			const folder = temporaryFolder();
			let pid = 0;
			let second: Awaited<ReturnType<typeof cli>> | undefined;
			let paused: Promise<void> | undefined;
			// The first run is paused (SIGSTOP) right after its first committed batch, holding the lock, while the
			// second operator starts the same job; then it continues.
			const first = await cli([...backfill.args, ...common(database, folder), '--events=json', '--output=json'], {
				onStderrLine(line, child) {
					if (!paused && line.includes('"step-progress"')) {
						pid = child.pid!;
						child.kill('SIGSTOP');
						paused = (async () => {
							second = await cli([...backfill.args, ...common(database, folder), '--output=json']);
							child.kill('SIGCONT');
						})();
					}
				},
			});
			await paused;
			t.is(second?.code, 6, second?.stderr);
			t.regex(second!.stderr, new RegExp(`holds the lock: run \\S+ on ${hostname()} \\(pid ${pid}\\)`));
			t.is((second!.json?.error as {code: number}).code, 6);
			t.is(first.code, 0, first.stderr);
			const outcome = await outcomeOf(database.sql, backfill, first.json?.metrics as Record<string, unknown>);
			t.deepEqual(outcome.metrics, reference.metrics);
			t.is(outcome.rows, reference.rows, 'the first run was unharmed: its rows equal an undisturbed run');
			t.is(Number((await database.sql.get<{n: unknown}>(`SELECT COUNT(*) AS n FROM runbook_runs WHERE job = 'backfill-membership'`))!.n), 1, 'the refused run left no run row');
		} finally {
			await database.destroy();
		}
	});

	test(`a lock of a killed process on this host is taken over on resume, and recorded [${dialect}]`, async t => {
		t.timeout(10 * 60_000);
		const database = await createTestDatabase(dialect);
		try {
			await buildDataset(database.sql, small);
			const folder = temporaryFolder();
			const killed = await cli([...backfill.args, ...common(database, folder), '--events=json'], {
				onStderrLine(line, child) {
					if (line.includes('"step-progress"')) {
						child.kill('SIGKILL');
					}
				},
			});
			t.is(killed.signal, 'SIGKILL');
			const stale = await database.sql.get<{pid: number; host: string; run_id: string}>('SELECT pid, host, run_id FROM runbook_locks');
			t.truthy(stale, 'the killed process left its lock row');
			const resumed = await cli([...backfill.args, ...common(database, folder), '--output=json']);
			t.is(resumed.code, 0, resumed.stderr);
			const warnings = (resumed.json?.warnings ?? []) as string[];
			t.true(
				warnings.some(warning => warning.includes(`Took over the lock of run ${stale!.run_id}`)),
				`warnings: ${JSON.stringify(warnings)}`,
			);
			const events = await import('node:fs/promises').then(async fs => fs.readFile(join(String(resumed.json?.evidence_dir), 'events.jsonl'), 'utf8'));
			t.regex(events, /lock-taken-over/, 'the takeover is in the evidence');
			t.is(await database.sql.get('SELECT run_id FROM runbook_locks'), undefined, 'released at the end');
		} finally {
			await database.destroy();
		}
	});

	test(`a lock of another host with an old heartbeat: exit 6 without --break-lock, taken over with it [${dialect}]`, async t => {
		t.timeout(10 * 60_000);
		const database = await createTestDatabase(dialect);
		let holder: mysql.Connection | undefined;
		try {
			await buildDataset(database.sql, small);
			const folder = temporaryFolder();
			const old = new Date(Date.now() - 5 * 60_000).toISOString().slice(0, 19).replace('T', ' ');
			if (dialect === 'mysql') {
				// The other host's session still holds GET_LOCK (its connection is alive, its process is not heard from).
				holder = await mysql.createConnection(`${mysqlServerUrl}/${database.url.split('/').at(-1)!}`);
				const [rows] = await holder.query('SELECT GET_LOCK(?, 0) AS got', [serverLockName(database)]);
				t.is(Number((rows as Array<{got: number}>)[0]!.got), 1);
			}

			await database.sql.run('INSERT INTO runbook_locks (name, run_id, host, pid, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)', [lockName, 'other-host-run', 'db-admin-7.example.internal', 4242, old, old]);
			const refused = await cli([...backfill.args, ...common(database, folder), '--output=json']);
			t.is(refused.code, 6, refused.stderr);
			t.regex(refused.stderr, /other-host-run on db-admin-7\.example\.internal \(pid 4242\)/);
			t.regex(refused.stderr, /--break-lock/);
			t.is(Number((await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_runs'))!.n), 0, 'nothing written');

			const broken = await cli([...backfill.args, ...common(database, folder), '--break-lock', '--output=json']);
			t.is(broken.code, 0, broken.stderr);
			t.true(((broken.json?.warnings ?? []) as string[]).some(warning => warning.includes('other-host-run') && warning.includes('break-lock')), JSON.stringify(broken.json?.warnings));
			t.true(Number((broken.json?.metrics as Record<string, number>).members_created) > 0);
		} finally {
			await holder?.end().catch(() => undefined);
			await database.destroy();
		}
	});
}
