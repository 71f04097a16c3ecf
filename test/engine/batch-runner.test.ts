import test from 'ava';
import {adaptBatchSize, type BatchSource, runBatches} from '../../source/engine/batch-runner.js';
import {OperatorAborted} from '../../source/core/errors.js';
import {findRun, startRun} from '../../source/db/bookkeeping/runs.js';
import {crashAfter} from '../helpers/run-job.js';
import {dialectSql, type Sql} from '../../source/db/sql.js';
import {type TestDatabase, testEachDialect} from '../helpers/databases.js';
import {passwordHash} from '../helpers/platform-rows.js';

// A toy job: copy course titles into users as "enrolled" rows, set-based, to exercise checkpoints and resume.
function copySource(sql: Sql, upperBound: number): BatchSource {
	return {
		name: 'courses',
		upperBound,
		total: upperBound,
		async runBatch(tx, range) {
			const last = await tx.get<{id: number}>('SELECT id FROM courses WHERE id > ? AND id <= ? ORDER BY id LIMIT 1 OFFSET ?', [range.after, range.upperBound, range.limit - 1]);
			const lastKey = last ? Number(last.id) : range.upperBound;
			const email = dialectSql(sql.dialect).concat("'u'", 'id', "'@x.test'");
			const inserted = await tx.run(`INSERT INTO users (name, email, role, password) SELECT title, ${email}, 'student', ? FROM courses WHERE id > ? AND id <= ?`, [passwordHash, range.after, lastKey]);
			return {lastKey, scanned: inserted.affectedRows, written: inserted.affectedRows, metrics: {copied: inserted.affectedRows}, undo: [{table: 'users', rowId: lastKey, action: 'insert', afterHash: 'h'}]};
		},
	};
}

async function seed(database: TestDatabase, rows: number): Promise<void> {
	const values = Array.from({length: rows}, (_, index) => [`Course ${index + 1}`]);
	for (let start = 0; start < values.length; start += 200) {
		const slice = values.slice(start, start + 200);
		await database.sql.run(`INSERT INTO courses (title) VALUES ${slice.map(() => '(?)').join(', ')}`, slice.flat());
	}

	await startRun(database, {runId: 'run-1', job: 'toy', params: {}, paramsHash: 'h', codeVersion: 'test', mode: 'execute', host: 'h', pid: 1, startedAt: new Date()});
}

const clock = {now: () => new Date()};

/** [seq, first_key, last_key] of run-1's batch rows. */
async function batchRanges(database: TestDatabase): Promise<number[][]> {
	const batches = await database.sql.all<{seq: number; first_key: number; last_key: number}>("SELECT seq, first_key, last_key FROM runbook_batches WHERE run_id = 'run-1' ORDER BY seq");
	return batches.map(batch => [Number(batch.seq), Number(batch.first_key), Number(batch.last_key)]);
}

/** 23 rows at --batch=5, crashed after batch 2 and resumed. */
const fiveBatchesOf23 = [
	[1, 1, 5],
	[2, 6, 10],
	[3, 11, 15],
	[4, 16, 20],
	[5, 21, 23],
];

testEachDialect('commits one checkpoint per batch; a crash after batch k resumes to the same final state', async (t, database) => {
	await seed(database, 23);
	const base = {sql: database.sql, runId: 'run-1', metrics: {copied: 0}, batchSize: 5, signal: new AbortController().signal, clock, report() {}};
	await t.throwsAsync(runBatches({...base, sources: [copySource(database.sql, 23)], cursor: {}, batchesDone: 0, afterBatch: crashAfter(2)}), {message: /crash injected after batch 2/});
	const crashed = await findRun(database, 'run-1');
	t.deepEqual(crashed?.cursor, {courses: 10});
	t.deepEqual(crashed?.metrics, {copied: 10});

	const resumed = await runBatches({...base, sources: [copySource(database.sql, 23)], cursor: crashed!.cursor, metrics: crashed!.metrics, batchesDone: 2});
	t.deepEqual(resumed.metrics, {copied: 23});
	t.deepEqual(resumed.batches.map(batch => batch.seq), [3, 4, 5]);
	const users = await database.sql.get<{n: number; distinct_names: number}>('SELECT COUNT(*) AS n, COUNT(DISTINCT name) AS distinct_names FROM users');
	t.deepEqual({n: Number(users?.n), distinct: Number(users?.distinct_names)}, {n: 23, distinct: 23});
	t.deepEqual(await batchRanges(database), fiveBatchesOf23);
	const undo = await database.sql.get<{n: number}>("SELECT COUNT(*) AS n FROM runbook_undo WHERE run_id = 'run-1'");
	t.is(Number(undo?.n), 5);
});

testEachDialect('an abort stops after the committed batch with OperatorAborted, checkpoint intact', async (t, database) => {
	await seed(database, 12);
	const controller = new AbortController();
	await t.throwsAsync(
		runBatches({
			sql: database.sql,
			runId: 'run-1',
			sources: [copySource(database.sql, 12)],
			cursor: {},
			metrics: {copied: 0},
			batchesDone: 0,
			batchSize: 4,
			signal: controller.signal,
			clock,
			report(progress) {
				if (progress.batch === 1) {
					controller.abort();
				}
			},
		}),
		{instanceOf: OperatorAborted},
	);
	const run = await findRun(database, 'run-1');
	t.deepEqual(run?.cursor, {courses: 4});
	const users = await database.sql.get<{n: number}>('SELECT COUNT(*) AS n FROM users');
	t.is(Number(users?.n), 4);
});

test('adaptive batch size moves ×1.2 / ×0.5 within 100..50,000', t => {
	t.is(adaptBatchSize(1000, 100, 500), 1200);
	t.is(adaptBatchSize(1000, 900, 500), 500);
	t.is(adaptBatchSize(150, 900, 500), 100);
	t.is(adaptBatchSize(48_000, 10, 500), 50_000);
	t.is(adaptBatchSize(1000, 500, 500), 1000);
});

// The toy job split into a read (the batch's ids, on the reader) and a write (in the batch's transaction), logging
// when each happens, so the test can see the read of batch k+1 overlap batch k.
function splitCopySource(sql: Sql, upperBound: number, log: string[]): BatchSource {
	const copy = copySource(sql, upperBound);
	return {
		name: copy.name,
		upperBound,
		total: upperBound,
		async read(reader, range) {
			log.push(`read ${range.after}`);
			const rows = await reader.all<{id: number}>('SELECT id FROM courses WHERE id > ? AND id <= ? ORDER BY id LIMIT ?', [range.after, range.upperBound, range.limit]);
			const last = rows.length > 0 ? Number(rows.at(-1)!.id) : range.upperBound;
			const lastKey = rows.length < range.limit || last >= range.upperBound ? null : last;
			return {
				lastKey,
				async write(tx) {
					log.push(`write ${range.after}`);
					const outcome = await copy.runBatch!(tx, {...range, limit: rows.length});
					log.push(`wrote ${range.after}`);
					return {...outcome, lastKey};
				},
			};
		},
	};
}

testEachDialect('with a reader, batch k+1 is read while batch k writes; the rows, batches and a crash + resume are as without one', async (t, database) => {
	await seed(database, 23);
	const reader = await database.reader!();
	t.truthy(reader, 'a file or server database has a reader connection');
	const log: string[] = [];
	const base = {sql: database.sql, reader, runId: 'run-1', metrics: {copied: 0}, batchSize: 5, signal: new AbortController().signal, clock, report() {}};
	await t.throwsAsync(runBatches({...base, sources: [splitCopySource(database.sql, 23, log)], cursor: {}, batchesDone: 0, afterBatch: crashAfter(2)}), {message: /crash injected after batch 2/});
	// Batch 2 (after key 5) is read before batch 1 has finished writing; batch 3's read was under way at the crash.
	t.true(log.indexOf('read 5') < log.indexOf('wrote 0'), log.join(', '));
	t.true(log.includes('read 10'), log.join(', '));
	const crashed = await findRun(database, 'run-1');
	t.deepEqual(crashed?.cursor, {courses: 10});

	const resumed = await runBatches({...base, sources: [splitCopySource(database.sql, 23, log)], cursor: crashed!.cursor, metrics: crashed!.metrics, batchesDone: 2});
	t.deepEqual(resumed.metrics, {copied: 23});
	t.deepEqual(resumed.batches.map(batch => batch.seq), [3, 4, 5]);
	const users = await database.sql.get<{n: number; distinct_names: number}>('SELECT COUNT(*) AS n, COUNT(DISTINCT name) AS distinct_names FROM users');
	t.deepEqual({n: Number(users?.n), distinct: Number(users?.distinct_names)}, {n: 23, distinct: 23});
	t.deepEqual(await batchRanges(database), fiveBatchesOf23);
});

testEachDialect('with a reader and --adaptive, a read started before a resize keeps its size and the next one takes the new size', async (t, database) => {
	await seed(database, 600);
	const reader = await database.reader!();
	const log: string[] = [];
	const sizes: Array<[number, number]> = [];
	let now = 0;
	// Every batch "takes" 1 ms against a 500 ms target: the size grows ×1.2 after each batch.
	const result = await runBatches({sql: database.sql, reader, runId: 'run-1', sources: [splitCopySource(database.sql, 600, log)], cursor: {}, metrics: {copied: 0}, batchesDone: 0, batchSize: 100, adaptive: {targetMs: 500}, signal: new AbortController().signal, clock: {now: () => new Date(now++)}, report() {}, onBatchSize: (from, to) => sizes.push([from, to])});
	t.deepEqual(result.metrics, {copied: 600});
	t.deepEqual(sizes.slice(0, 2), [
		[100, 120],
		[120, 144],
	]);
	// Batch 2 was read at 100 rows while batch 1 wrote; batch 3 at 120 (the size after batch 1), and so on: no row
	// twice or missed.
	t.deepEqual(result.batches.slice(0, 3).map(batch => batch.batchSize), [100, 100, 120]);
	t.deepEqual(result.batches.slice(0, 3).map(batch => batch.rows), [100, 100, 120]);
	const users = await database.sql.get<{n: number; distinct_names: number}>('SELECT COUNT(*) AS n, COUNT(DISTINCT name) AS distinct_names FROM users');
	t.deepEqual({n: Number(users?.n), distinct: Number(users?.distinct_names)}, {n: 600, distinct: 600});
});

test('an in-memory SQLite database has no reader: the runner reads and writes in turns', async t => {
	const {openDatabase} = await import('../../source/db/orm.js');
	const {parseDatabaseUrl} = await import('../../source/db/database-url.js');
	const database = await openDatabase(parseDatabaseUrl('sqlite::memory:'), {createSqliteFile: true});
	try {
		t.is(await database.reader!(), undefined);
	} finally {
		await database.close();
	}
});
