import {randomBytes} from 'node:crypto';
import test from 'ava';
import {Redis} from 'ioredis';
import {type BatchSource, runBatches} from '../../source/engine/batch-runner.js';
import {UsageError} from '../../source/core/errors.js';
import {startRun} from '../../source/db/bookkeeping/runs.js';
import {judgeReplica} from '../../source/engine/throttle/gauges.js';
import {checkThrottleProbes, createThrottleProbe, parseQueueUrl, parseReplicaUrl} from '../../source/engine/throttle/index.js';
import type {Database} from '../../source/db/orm.js';
import {type TestDatabase, createTestDatabase, testEachDialect} from '../helpers/databases.js';
import {freePort} from '../helpers/free-port.js';

const redisUrl = '127.0.0.1:6379';

/** A Redis list `queues:runbook-test-<random>` with `length` jobs, deleted when the test ends. */
async function redisQueue(t: {teardown: (fn: () => Promise<void>) => void}, length: number): Promise<string> {
	const queue = `runbook-test-${randomBytes(5).toString('hex')}`;
	const redis = new Redis({host: '127.0.0.1', port: 6379, lazyConnect: true});
	await redis.connect();
	for (let start = 0; start < length; start += 500) {
		const slice = Array.from({length: Math.min(500, length - start)}, (_, index) => JSON.stringify({job: start + index}));
		await redis.rpush(`queues:${queue}`, ...slice);
	}

	t.teardown(async () => {
		await redis.del(`queues:${queue}`);
		redis.disconnect();
	});
	return queue;
}

const noDatabase = {} as Database;

test('parses the queue URL syntaxes and refuses the rest with a usage error', t => {
	t.like(parseQueueUrl('redis://127.0.0.1:6379/2?queue=emails'), {kind: 'redis', host: '127.0.0.1', port: 6379, db: 2, queue: 'emails', key: 'queues:emails', label: '127.0.0.1:6379/2'});
	t.like(parseQueueUrl('redis://cache.internal'), {kind: 'redis', port: 6379, db: 0, queue: 'default', key: 'queues:default'});
	t.like(parseQueueUrl('redis://:pw@h:1/0?queue=q&prefix=laravel_database_'), {key: 'laravel_database_queues:q', password: 'pw'});
	t.deepEqual(parseQueueUrl('jobs'), {kind: 'jobs', queue: null});
	t.deepEqual(parseQueueUrl('jobs:high'), {kind: 'jobs', queue: 'high'});
	for (const bad of ['http://h/q', 'redis://h:6379/emails', 'redis://h#emails', 'jobs:', 'redis://h/?queue=', 'redis://h/0?q=x', 'nonsense']) {
		t.throws(() => parseQueueUrl(bad), {instanceOf: UsageError}, bad);
	}

	t.like(parseReplicaUrl('mysql://monitor:pw@replica.internal:3307'), {host: 'replica.internal', port: 3307, user: 'monitor', password: 'pw', label: 'replica.internal:3307'});
	t.like(parseReplicaUrl('mariadb://root@127.0.0.1/platform'), {port: 3306, user: 'root'});
	const error = t.throws(() => parseReplicaUrl('sqlite:replica.db'), {instanceOf: UsageError});
	t.regex(error.message, /--replica-url/);
	t.notRegex(t.throws(() => parseReplicaUrl('postgres://u:hunter22@h'))!.message, /hunter22/);
});

test('replica status rows: lag over the limit, stopped threads and NULL lag wait; lag within the limit goes', t => {
	const row = (lag: number | null, sql = 'Yes', io = 'Yes') => ({Slave_IO_Running: io, Slave_SQL_Running: sql, Seconds_Behind_Master: lag});
	t.deepEqual(judgeReplica([row(12)], 5, 'r:3306'), {wait: true, reason: 'replica lag 12 s > 5 s'});
	t.deepEqual(judgeReplica([row(5)], 5, 'r:3306'), {wait: false, reason: null});
	t.deepEqual(judgeReplica([row(null, 'No')], 5, 'r:3306'), {wait: true, reason: 'replica SQL thread not running'});
	t.deepEqual(judgeReplica([row(null, 'Yes', 'Connecting')], 5, 'r:3306'), {wait: true, reason: 'replica IO thread not running (lag unknown)'});
	t.deepEqual(judgeReplica([row(1), row(40), row(9)], 5, 'r:3306'), {wait: true, reason: 'replica lag 40 s > 5 s'});
	t.deepEqual(judgeReplica([{Replica_SQL_Running: 'Yes', Replica_IO_Running: 'Yes', Seconds_Behind_Source: 7}], 5, 'r:3306'), {wait: true, reason: 'replica lag 7 s > 5 s'});
	t.true(judgeReplica([], 5, 'r:3306').wait);
});

test('a real Redis queue over the limit says wait with the reason; under the limit it says go', async t => {
	const queue = await redisQueue(t, 1500);
	const warnings: string[] = [];
	const over = await createThrottleProbe({queueUrl: `redis://${redisUrl}/0?queue=${queue}`, maxQueueDepth: 1000, maxReplicaLag: 5, database: noDatabase, warn: message => warnings.push(message)});
	t.teardown(over.close);
	t.deepEqual(await over.probe(), {wait: true, reason: `queue ${queue} holds 1500 jobs > 1000`});

	const under = await createThrottleProbe({queueUrl: `redis://${redisUrl}/0?queue=${queue}`, maxQueueDepth: 1500, maxReplicaLag: 5, database: noDatabase, warn: message => warnings.push(message)});
	t.teardown(under.close);
	t.deepEqual(await under.probe(), {wait: false, reason: null});
	t.deepEqual(warnings, []);

	const checks = await checkThrottleProbes({queueUrl: `redis://${redisUrl}/0?queue=${queue}`, maxQueueDepth: 1000, maxReplicaLag: 5, database: noDatabase});
	t.deepEqual(checks.map(check => check.ok), [true]);
	t.regex(checks[0]!.detail, new RegExp(`queue ${queue} holds 1500 jobs`));
});

test('an unreachable Redis warns once and waits, never throws; the check fails it; the password never shows', async t => {
	const port = await freePort();
	const url = `redis://:s3cret-pass@127.0.0.1:${port}/0?queue=default`;
	const warnings: string[] = [];
	const handle = await createThrottleProbe({queueUrl: url, maxQueueDepth: 1000, maxReplicaLag: 5, database: noDatabase, warn: message => warnings.push(message)});
	t.teardown(handle.close);
	const first = await handle.probe();
	const second = await handle.probe();
	const reason = `queue unreachable: 127.0.0.1:${port}/0: connection refused`;
	t.deepEqual(first, {wait: true, reason});
	t.deepEqual(second, {wait: true, reason});
	t.deepEqual(warnings, [`Throttle: ${reason}; waiting until it answers again.`]);

	const checks = await checkThrottleProbes({queueUrl: url, maxQueueDepth: 1000, maxReplicaLag: 5, database: noDatabase});
	t.deepEqual(checks, [{name: 'queue depth probe reachable', ok: false, detail: reason}]);
	t.false(JSON.stringify([warnings, checks]).includes('s3cret-pass'));
});

test('an unreachable replica warns and waits during the run and fails the prerequisite check', async t => {
	const port = await freePort();
	const url = `mysql://monitor:hunter2-secret@127.0.0.1:${port}`;
	const warnings: string[] = [];
	const handle = await createThrottleProbe({replicaUrl: url, maxReplicaLag: 5, maxQueueDepth: 1000, database: noDatabase, warn: message => warnings.push(message)});
	t.teardown(handle.close);
	t.deepEqual(await handle.probe(), {wait: true, reason: `replica unreachable: 127.0.0.1:${port}: connection refused`});
	t.is(warnings.length, 1);
	const checks = await checkThrottleProbes({replicaUrl: url, maxReplicaLag: 5, maxQueueDepth: 1000, database: noDatabase});
	t.deepEqual(checks, [{name: 'replica lag probe reachable', ok: false, detail: `replica unreachable: 127.0.0.1:${port}: connection refused`}]);
	t.false(JSON.stringify([warnings, checks]).includes('hunter2-secret'));
});

async function createJobsTable(database: TestDatabase): Promise<void> {
	await database.sql.run(
		database.sql.dialect === 'sqlite'
			? 'CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, payload TEXT NOT NULL, attempts INTEGER NOT NULL, reserved_at INTEGER NULL, available_at INTEGER NOT NULL, created_at INTEGER NOT NULL)'
			: 'CREATE TABLE jobs (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, queue VARCHAR(255) NOT NULL, payload LONGTEXT NOT NULL, attempts TINYINT UNSIGNED NOT NULL, reserved_at INT UNSIGNED NULL, available_at INT UNSIGNED NOT NULL, created_at INT UNSIGNED NOT NULL, INDEX jobs_queue_index (queue))',
	);
}

async function pushJobs(database: TestDatabase, queue: string, count: number): Promise<void> {
	for (let start = 0; start < count; start += 200) {
		const rows = Array.from({length: Math.min(200, count - start)}, () => [queue, '{"job":"x"}', 0, null, 1_700_000_000, 1_700_000_000]);
		await database.sql.run(`INSERT INTO jobs (queue, payload, attempts, reserved_at, available_at, created_at) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`, rows.flat());
	}
}

testEachDialect('the jobs-table probe counts the queue (or the whole table) against the limit', async (t, database) => {
	const warn = (message: string) => t.fail(message);
	const missing = await checkThrottleProbes({queueUrl: 'jobs', maxQueueDepth: 10, maxReplicaLag: 5, database});
	t.false(missing[0]!.ok);
	t.regex(missing[0]!.detail, /has no jobs table/);

	await createJobsTable(database);
	await pushJobs(database, 'default', 1500);
	await pushJobs(database, 'emails', 30);
	const perQueue = await createThrottleProbe({queueUrl: 'jobs:default', maxQueueDepth: 1000, maxReplicaLag: 5, database, warn});
	t.deepEqual(await perQueue.probe(), {wait: true, reason: 'queue default holds 1500 jobs > 1000'});
	const small = await createThrottleProbe({queueUrl: 'jobs:emails', maxQueueDepth: 1000, maxReplicaLag: 5, database, warn});
	t.deepEqual(await small.probe(), {wait: false, reason: null});
	const whole = await createThrottleProbe({queueUrl: 'jobs', maxQueueDepth: 1529, maxReplicaLag: 5, database, warn});
	t.deepEqual(await whole.probe(), {wait: true, reason: 'jobs table holds 1530 jobs > 1529'});
	await database.sql.run("DELETE FROM jobs WHERE queue = 'default'");
	t.deepEqual(await perQueue.probe(), {wait: false, reason: null});
	const present = await checkThrottleProbes({queueUrl: 'jobs', maxQueueDepth: 10, maxReplicaLag: 5, database});
	t.deepEqual(present, [{name: 'queue depth probe reachable', ok: true, detail: 'jobs table holds 30 jobs (limit 10)'}]);
	await Promise.all([perQueue.close(), small.close(), whole.close()]);
});

test('a missing jobs table during the run warns and waits', async t => {
	const database = await createTestDatabase('sqlite');
	t.teardown(database.destroy);
	const warnings: string[] = [];
	const handle = await createThrottleProbe({queueUrl: 'jobs', maxQueueDepth: 10, maxReplicaLag: 5, database, warn: message => warnings.push(message)});
	const verdict = await handle.probe();
	t.true(verdict.wait);
	t.regex(verdict.reason!, /^queue unreachable: platform database: .*no such table: jobs/);
	t.is(warnings.length, 1);
});

testEachDialect('runBatches waits while the probe says wait (twice), emits throttled events, then finishes', async (t, database) => {
	const rows = 12;
	for (let index = 1; index <= rows; index++) {
		await database.sql.run('INSERT INTO courses (title) VALUES (?)', [`Course ${index}`]);
	}

	await startRun(database, {runId: 'run-t', job: 'toy', params: {}, paramsHash: 'h', codeVersion: 'test', mode: 'execute', host: 'h', pid: 1, startedAt: new Date()});
	const source: BatchSource = {
		name: 'courses',
		upperBound: rows,
		total: rows,
		async runBatch(tx, range) {
			const lastKey = Math.min(range.after + range.limit, range.upperBound);
			const result = await tx.run('UPDATE courses SET title = ? WHERE id > ? AND id <= ?', ['seen', range.after, lastKey]);
			return {lastKey, scanned: result.affectedRows, written: result.affectedRows, metrics: {seen: result.affectedRows}, undo: []};
		},
	};
	const verdicts = [
		{wait: true, reason: 'replica lag 12 s > 5 s'},
		{wait: true, reason: 'queue default holds 1500 jobs > 1000'},
	];
	let asked = 0;
	const throttled: Array<[string, number]> = [];
	const slept: number[] = [];
	const result = await runBatches({
		sql: database.sql,
		runId: 'run-t',
		sources: [source],
		cursor: {},
		metrics: {seen: 0},
		batchesDone: 0,
		batchSize: 5,
		signal: new AbortController().signal,
		clock: {now: () => new Date()},
		report() {},
		async throttle() {
			asked++;
			return verdicts.shift() ?? {wait: false, reason: null};
		},
		onThrottle: (reason, waitMs) => throttled.push([reason, waitMs]),
		async sleep(ms) {
			slept.push(ms);
		},
	});
	t.deepEqual(throttled, [
		['replica lag 12 s > 5 s', 1000],
		['queue default holds 1500 jobs > 1000', 2000],
	]);
	t.deepEqual(slept, [1000, 2000]);
	t.deepEqual(result.metrics, {seen: 12});
	t.deepEqual(result.batches.map(batch => batch.rows), [5, 5, 2]);
	t.is(asked, 5);
	const seen = await database.sql.get<{n: unknown}>("SELECT COUNT(*) AS n FROM courses WHERE title = 'seen'");
	t.is(Number(seen?.n), 12);
});
