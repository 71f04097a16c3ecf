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
	const batches = await database.sql.all<{seq: number; first_key: number; last_key: number}>("SELECT seq, first_key, last_key FROM runbook_batches WHERE run_id = 'run-1' ORDER BY seq");
	t.deepEqual(
		batches.map(batch => [Number(batch.seq), Number(batch.first_key), Number(batch.last_key)]),
		[
			[1, 1, 5],
			[2, 6, 10],
			[3, 11, 15],
			[4, 16, 20],
			[5, 21, 23],
		],
	);
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
