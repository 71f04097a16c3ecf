import {type ChildProcess, execFile, spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';
import test from 'ava';
import mysql from 'mysql2/promise';
import {parseDatabaseUrl} from '../../source/db/database-url.js';
import {fingerprintDatabase} from '../../source/db/fingerprint.js';
import {migrateRunbookTables, openDatabase} from '../../source/db/orm.js';
import {createPlatformSchema} from '../../source/db/platform-schema.js';
import {Sql} from '../../source/db/sql.js';
import {runJobStep} from '../../source/engine/job-runner.js';
import type {EngineEvent} from '../../source/engine/ports.js';
import {createThrottleProbe} from '../../source/engine/throttle/index.js';
import {findLatestDryRun} from '../../source/evidence/dry-run-store.js';
import {EvidenceFolder} from '../../source/evidence/evidence-folder.js';
import {takeSnapshot} from '../../source/evidence/snapshot.js';
import {backfillMembership} from '../../source/jobs/backfill-membership.js';
import {freePort} from '../helpers/free-port.js';
import {insertPlatformRows} from '../helpers/platform-rows.js';
import {testPlatform} from '../helpers/platform.js';

// A real primary → replica pair of our own (never the shared server on 3306): the backfill waits while the replica's
// SQL thread is stopped (Seconds_Behind_Master NULL) and finishes once it runs again.

const run = promisify(execFile);

type Server = {port: number; process: ChildProcess; connect: () => Promise<mysql.Connection>};

async function startServer(folder: string, name: string, serverId: number, primary: boolean): Promise<Server> {
	const datadir = join(folder, name);
	// A private tmpdir: two servers bootstrapping at once must not share temp-table files in /tmp.
	const temporary = join(folder, `${name}-tmp`);
	mkdirSync(temporary, {recursive: true});
	await run('mariadb-install-db', ['--no-defaults', '--auth-root-authentication-method=normal', `--datadir=${datadir}`, `--tmpdir=${temporary}`, '--user=root', '--skip-test-db', '--skip-name-resolve'], {timeout: 60_000});
	const port = await freePort();
	const child = spawn(
		'mariadbd',
		[
			'--no-defaults',
			`--datadir=${datadir}`,
			`--tmpdir=${temporary}`,
			`--port=${port}`,
			`--socket=${join(folder, `${name}.sock`)}`,
			`--server-id=${serverId}`,
			...(primary ? [`--log-bin=${join(datadir, 'bin')}`, '--binlog-format=ROW'] : [`--relay-log=${join(datadir, 'relay')}`]),
			'--skip-networking=0',
			'--bind-address=127.0.0.1',
			'--skip-name-resolve',
			'--user=root',
			`--pid-file=${join(folder, `${name}.pid`)}`,
			`--log-error=${join(folder, `${name}.err`)}`,
			'--innodb-buffer-pool-size=32M',
			'--innodb-log-file-size=16M',
			'--performance-schema=OFF',
		],
		{stdio: 'ignore'},
	);
	const connect = async () => mysql.createConnection({host: '127.0.0.1', port, user: 'root', dateStrings: true, multipleStatements: false});
	const deadline = Date.now() + 30_000;
	for (;;) {
		try {
			const connection = await connect();
			await connection.end();
			break;
		} catch (error) {
			if (Date.now() > deadline || child.exitCode !== null) {
				throw new Error(`mariadbd ${name} did not start on port ${port}: ${(error as Error).message}`);
			}

			await new Promise(resolve => setTimeout(resolve, 250));
		}
	}

	return {port, process: child, connect};
}

async function stopServer(server: Server | undefined): Promise<void> {
	if (!server || server.process.exitCode !== null || server.process.pid === undefined) return;
	const exited = new Promise<void>(resolve => server.process.once('exit', () => resolve()));
	server.process.kill('SIGTERM');
	const timer = setTimeout(() => server.process.kill('SIGKILL'), 10_000);
	await exited;
	clearTimeout(timer);
}

async function replicaStatus(replica: mysql.Connection): Promise<Record<string, unknown>> {
	const [rows] = await replica.query('SHOW REPLICA STATUS');
	return (rows as Array<Record<string, unknown>>)[0] ?? {};
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 200));
	}
}

test('the backfill waits while the replica SQL thread is stopped and finishes once it replicates again', async t => {
	const folder = mkdtempSync(join(tmpdir(), 'runbook-replication-'));
	let primary: Server | undefined;
	let replica: Server | undefined;
	const connections: mysql.Connection[] = [];
	t.teardown(async () => {
		await Promise.all(connections.map(async connection => connection.end().catch(() => undefined)));
		await Promise.all([stopServer(primary), stopServer(replica)]);
		rmSync(folder, {recursive: true, force: true});
	});

	[primary, replica] = await Promise.all([startServer(folder, 'primary', 1, true), startServer(folder, 'replica', 2, false)]);
	const admin = await primary.connect();
	const replicaAdmin = await replica.connect();
	connections.push(admin, replicaAdmin);
	await admin.query("CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl-secret'");
	await admin.query("GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'");
	await replicaAdmin.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='repl', MASTER_PASSWORD='repl-secret', MASTER_USE_GTID=slave_pos`);
	await replicaAdmin.query('START REPLICA');
	await waitFor('the replica threads', async () => {
		const status = await replicaStatus(replicaAdmin);
		return status.Slave_IO_Running === 'Yes' && status.Slave_SQL_Running === 'Yes';
	});

	// The platform on the primary: 3 communities linking courses 1-2, 3-4, 5-6; 600 users; 3000 enrollments where
	// user u takes course 1 + (u-1) % 6 five times → 200 users per community → 600 pairs, all new members.
	await admin.query('CREATE DATABASE platform CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
	const database = await openDatabase(parseDatabaseUrl(`mysql://root@127.0.0.1:${primary.port}/platform`));
	t.teardown(async () => database.close());
	await createPlatformSchema(database.sql);
	await migrateRunbookTables(database);
	const users = Array.from({length: 600}, (_, index) => [index + 1, `User ${index + 1}`, `u${index + 1}@example.test`, 'student']);
	await insertPlatformRows(database.sql, 'users', ['id', 'name', 'email', 'role'], users);
	const courses = Array.from({length: 6}, (_, index) => [index + 1, `Course ${index + 1}`]);
	await database.sql.run(`INSERT INTO courses (id, title) VALUES ${Sql.tuples(courses.length, 2)}`, courses.flat());
	const communities = [1, 2, 3].map(id => [id, `community-${id}`, `Community ${id}`, JSON.stringify({classroom_links: [{course_id: id * 2 - 1}, {course_id: id * 2}]}), 1]);
	await database.sql.run(`INSERT INTO communities (id, slug, name, settings, created_by) VALUES ${Sql.tuples(3, 5)}`, communities.flat());
	for (let start = 0; start < 3000; start += 500) {
		const rows = Array.from({length: 500}, (_, offset) => {
			const i = start + offset;
			return [1 + (i % 600), 1 + (i % 6), 1_700_000_000 + i];
		});
		await database.sql.run(`INSERT INTO enrollments (user_id, course_id, entry_date) VALUES ${Sql.tuples(rows.length, 3)}`, rows.flat());
	}

	await waitFor('the replica to copy the enrollments', async () => {
		const [rows] = await replicaAdmin.query('SELECT COUNT(*) AS n FROM platform.enrollments').catch(() => [[{n: 0}]]);
		return Number((rows as Array<{n: unknown}>)[0]?.n) === 3000;
	});
	await replicaAdmin.query('STOP REPLICA SQL_THREAD');
	t.is((await replicaStatus(replicaAdmin)).Seconds_Behind_Master, null);

	const warnings: string[] = [];
	const throttle = await createThrottleProbe({replicaUrl: `mysql://root@127.0.0.1:${replica.port}`, maxReplicaLag: 5, maxQueueDepth: 1000, database, warn: message => warnings.push(message)});
	t.teardown(throttle.close);
	const events: EngineEvent[] = [];
	let restartedAt = 0;
	let restart: Promise<unknown> | undefined;
	const evidenceRoot = join(folder, 'evidence');
	const fingerprint = await fingerprintDatabase(database);
	const started = Date.now();
	const outcome = await runJobStep({
		job: backfillMembership,
		rawParams: {source: 'classrooms', batch: '100'},
		mode: 'execute',
		step: {number: 4, id: 'backfill-membership', title: 'Backfill'},
		database,
		fingerprint,
		profile: 'testing',
		platform: testPlatform(),
		appRoot: evidenceRoot,
		env: {},
		options: {evidenceRoot},
		codeVersion: 'test',
		unfinished: 'resume',
		decideDrift: async () => 'accept',
		decision: {by: 'test', answer: 'run'},
		evidence: async runId => EvidenceFolder.create(evidenceRoot, runId, {tool_version: 'test', database: fingerprint, command: 'backfill-membership'}),
		snapshot: async tables => takeSnapshot(database.sql, tables),
		dryRuns: async query => findLatestDryRun(evidenceRoot, query),
		throttle: throttle.probe,
		clock: {now: () => new Date()},
		self: {host: 'test-host', pid: process.pid, isAlive: () => true},
		signal: new AbortController().signal,
		emit(event) {
			events.push(event);
			if (event.type === 'throttled' && !restart) {
				restart = new Promise(resolve => setTimeout(resolve, 2000)).then(async () => {
					restartedAt = Date.now();
					await replicaAdmin.query('START REPLICA SQL_THREAD');
				});
			}
		},
	});
	await restart;

	const throttled = events.filter(event => event.type === 'throttled');
	t.true(throttled.length >= 1);
	t.is((throttled[0] as {reason?: unknown}).reason, 'replica SQL thread not running');
	const firstProgress = events.findIndex(event => event.type === 'step-progress');
	t.true(firstProgress > events.indexOf(throttled[0]!), 'no batch ran before the first throttle verdict');
	t.true(restartedAt > 0 && restartedAt - started >= 2000);
	t.is(outcome.status, 'succeeded');
	t.like(outcome.metrics, {communities_processed: 3, enrollments_scanned: 3000, members_created: 600, records_skipped: 0});
	t.deepEqual(warnings, []);

	// And the replica, running again, catches up with the members the job wrote on the primary.
	await waitFor('the replica to copy the members', async () => {
		const [rows] = await replicaAdmin.query('SELECT COUNT(*) AS n FROM platform.community_members');
		return Number((rows as Array<{n: unknown}>)[0]?.n) === 600;
	});
	const status = await replicaStatus(replicaAdmin);
	t.is(status.Slave_SQL_Running, 'Yes');
	t.true(Date.now() - started < 45_000);
});
