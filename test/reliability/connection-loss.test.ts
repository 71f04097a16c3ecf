import {type ChildProcess, spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdirSync} from 'node:fs';
import {createServer} from 'node:net';
import {join} from 'node:path';
import test from 'ava';
import mysql from 'mysql2/promise';
import {parseDatabaseUrl} from '../../source/db/database-url.js';
import {migrateRunbookTables, openDatabase} from '../../source/db/orm.js';
import {createTestDatabase, mysqlServerUrl} from '../helpers/databases.js';
import {buildDataset} from './dataset.js';
import {killJobs, outcomeOf, referenceOutcome} from './kill-trials.js';
import {cli, sleep, temporaryFolder} from './helpers.js';

// DESIGN.md §6/§10: a lost connection is exit 8 ("resumable"), and the resume completes identically. Two ways to
// lose it on MariaDB: KILL CONNECTION of the tool's connections mid-batch (shared server, own schema), and a restart
// of a server this test owns (its own mariadbd on a spare port with a temp datadir; the shared server is untouched).

const small = {users: 400, enrollments: 2000, posts: 400, comments: 400, certificates: 100};

for (const job of killJobs) {
	test.serial(`KILL CONNECTION of the tool's connections mid-batch: exit 8 saying it can be resumed; the resume is identical [${job.name}, mysql]`, async t => {
		t.timeout(10 * 60_000);
		const reference = await referenceOutcome('mysql', job, small);
		const database = await createTestDatabase('mysql');
		const admin = await mysql.createConnection(`${mysqlServerUrl}/information_schema`);
		try {
			await buildDataset(database.sql, small);
			// Only the tool's connections may use the schema when we kill them.
			await database.close();
			const schema = database.url.split('/').at(-1)!;
			const folder = temporaryFolder();
			const args = [...job.args, `--database-url=${database.url}`, `--app-root=${folder}`, `--evidence-dir=${join(folder, 'evidence')}`];
			let killing: Promise<number> | undefined;
			const lost = await cli([...args, '--events=json', '--output=json'], {
				onStderrLine(line, child) {
					if (!killing && line.includes('"step-progress"')) {
						// Freeze the process inside its next batch, kill every connection it has, let it go on.
						child.kill('SIGSTOP');
						killing = (async () => {
							const [rows] = await admin.query('SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()', [schema]);
							const ids = (rows as Array<{id: number}>).map(row => Number(row.id));
							for (const id of ids) {
								await admin.query(`KILL CONNECTION ${id}`).catch(() => undefined);
							}

							child.kill('SIGCONT');
							return ids.length;
						})();
					}
				},
			});
			const killed = await killing;
			t.true((killed ?? 0) > 0, 'the tool had connections to kill');
			t.is(lost.code, 8, `${lost.stderr}`);
			t.regex(lost.stderr, /resum/i, 'the message says the run can be resumed');
			t.is((lost.json?.error as {code: number} | undefined)?.code, 8);

			const check = await openDatabase(parseDatabaseUrl(database.url));
			try {
				const resumed = await cli([...args, '--output=json']);
				t.is(resumed.code, 0, resumed.stderr);
				const outcome = await outcomeOf(check.sql, job, resumed.json?.metrics as Record<string, unknown>);
				t.deepEqual(outcome.metrics, reference.metrics);
				t.is(outcome.count, outcome.distinct, 'no duplicates');
				t.is(outcome.rows, reference.rows, 'the resumed run ends identical to an uninterrupted one');
			} finally {
				await check.close();
			}
		} finally {
			await admin.end().catch(() => undefined);
			await database.destroy();
		}
	});
}

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => {
				resolve(typeof address === 'object' && address ? address.port : 0);
			});
		});
		server.on('error', reject);
	});
}

/** A private MariaDB server: temp datadir, spare port, its own socket; root without a password. */
class OwnServer {
	private child: ChildProcess | undefined;

	private constructor(
		readonly datadir: string,
		readonly port: number,
		readonly socket: string,
	) {}

	static async create(): Promise<OwnServer> {
		const base = temporaryFolder('runbook-mariadb-');
		const datadir = join(base, 'data');
		mkdirSync(datadir);
		mkdirSync(join(base, 'tmp'));
		const install = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, `--tmpdir=${join(base, 'tmp')}`, '--auth-root-authentication-method=normal', '--user=root', '--skip-test-db'], {encoding: 'utf8'});
		if (install.status !== 0) {
			throw new Error(`mariadb-install-db failed: ${install.stderr}`);
		}

		return new OwnServer(datadir, await freePort(), join(base, 'mariadb.sock'));
	}

	get url(): string {
		return `mysql://root@127.0.0.1:${this.port}`;
	}

	async start(): Promise<void> {
		this.child = spawn('mariadbd', ['--no-defaults', `--datadir=${this.datadir}`, `--tmpdir=${join(this.datadir, '..', 'tmp')}`, `--port=${this.port}`, `--socket=${this.socket}`, '--bind-address=127.0.0.1', '--user=root', '--skip-grant-tables', '--skip-log-bin', '--innodb-buffer-pool-size=32M', `--pid-file=${join(this.datadir, 'own.pid')}`], {stdio: 'ignore'});
		for (let attempt = 0; attempt < 200; attempt++) {
			try {
				const connection = await mysql.createConnection({host: '127.0.0.1', port: this.port, user: 'root', connectTimeout: 1000});
				await connection.end();
				return;
			} catch {
				await sleep(100);
			}
		}

		throw new Error('the private mariadbd did not come up');
	}

	/** SIGKILL: the crash of a restart (connections cut at once). */
	async crash(): Promise<void> {
		const child = this.child;
		if (!child || child.exitCode !== null) {
			return;
		}

		const exited = new Promise(resolve => child.once('exit', resolve));
		child.kill('SIGKILL');
		await exited;
		if (existsSync(this.socket)) {
			spawnSync('rm', ['-f', this.socket]);
		}
	}
}

test.serial('a MariaDB restart mid-run: exit 8, and after the restart the resume completes identically [backfill-membership, own mariadbd]', async t => {
	t.timeout(10 * 60_000);
	const job = killJobs[0]!;
	const reference = await referenceOutcome('mysql', job, small);
	const server = await OwnServer.create();
	await server.start();
	try {
		const url = `${server.url}/runbook_restart_test`;
		const admin = await mysql.createConnection({host: '127.0.0.1', port: server.port, user: 'root'});
		await admin.query('CREATE DATABASE runbook_restart_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
		await admin.end();
		const setup = await openDatabase(parseDatabaseUrl(url));
		await buildDataset(setup.sql, small);
		await migrateRunbookTables(setup);
		await setup.close();

		const folder = temporaryFolder();
		const args = [...job.args, `--database-url=${url}`, `--app-root=${folder}`, `--evidence-dir=${join(folder, 'evidence')}`];
		let crashing: Promise<void> | undefined;
		const lost = await cli([...args, '--events=json', '--output=json'], {
			onStderrLine(line, child) {
				if (!crashing && line.includes('"step-progress"')) {
					child.kill('SIGSTOP');
					crashing = (async () => {
						await server.crash();
						child.kill('SIGCONT');
					})();
				}
			},
		});
		await crashing;
		t.is(lost.code, 8, lost.stderr);
		t.regex(lost.stderr, /resum/i);

		await server.start();
		const resumed = await cli([...args, '--output=json']);
		t.is(resumed.code, 0, resumed.stderr);
		const check = await openDatabase(parseDatabaseUrl(url));
		try {
			const outcome = await outcomeOf(check.sql, job, resumed.json?.metrics as Record<string, unknown>);
			t.deepEqual(outcome.metrics, reference.metrics);
			t.is(outcome.count, outcome.distinct);
			t.is(outcome.rows, reference.rows);
		} finally {
			await check.close();
		}
	} finally {
		await server.crash();
	}
});
