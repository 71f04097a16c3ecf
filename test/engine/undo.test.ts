import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import {DatabaseUnreachable, UsageError} from '../../source/core/errors.js';
import {startRun} from '../../source/db/bookkeeping/runs.js';
import {decodeFileBefore} from '../../source/db/bookkeeping/undo-journal.js';
import {insertRows} from '../../source/db/bulk-insert.js';
import {asDatabaseUnreachable, isConnectionLost} from '../../source/db/connection-errors.js';
import {pickTracked, legacyRowHash} from '../../source/engine/row-hash.js';
import {restoreStatement} from '../../source/engine/undo/undo-rows.js';
import {takeSnapshot} from '../../source/evidence/snapshot.js';
import {rollbackJob} from '../../source/jobs/rollback.js';
import {type TestDatabase, testEachDialect} from '../helpers/databases.js';
import {insertMembershipParents} from '../helpers/platform-rows.js';
import {runJob, type RunJobOptions} from '../helpers/run-job.js';
import {temporaryFolder} from '../reliability/helpers.js';

// Rollback as a job (DESIGN.md §8) over hand-written journal rows: inserts deleted, updates restored (every column of
// `before`, updated_at included when recorded), files put back, conflicts, resume after a crash, a batch never
// touching one row twice, a session's runs newest first.

async function rollback(database: TestDatabase, params: Record<string, unknown> = {}, options: RunJobOptions = {}) {
	return runJob(database, rollbackJob, params, {mode: 'rollback', now: '2026-11-25T20:00:00Z', appRoot: temporaryFolder(), ...options});
}

async function addRun(database: TestDatabase, runId: string, job = 'test-job', parentRunId: string | null = null): Promise<void> {
	await startRun(database, {runId, job, params: {}, paramsHash: 'h', codeVersion: 'test', mode: 'execute', parentRunId, host: 'test-host', pid: 1, startedAt: new Date('2026-11-25T19:00:00Z')});
	await database.sql.run(`UPDATE runbook_runs SET status = 'succeeded' WHERE run_id = ?`, [runId]);
}

async function undo(database: TestDatabase, rows: unknown[][]): Promise<void> {
	await insertRows(database.sql, 'runbook_undo', ['run_id', 'seq', 'table_name', 'row_id', 'action', 'before', 'after_hash'], rows);
}

async function statusOf(database: TestDatabase, runId: string): Promise<string | undefined> {
	return (await database.sql.get<{status: string}>('SELECT status FROM runbook_runs WHERE run_id = ?', [runId]))?.status;
}

const memberColumns = ['id', 'community_id', 'user_id', 'role', 'status', 'joined_at', 'metadata', 'created_at', 'updated_at', 'deleted_at'];

/** Members 1..n before a "run"; the run then inserts n+1.. and updates some (status, role, updated_at). */
async function memberScenario(database: TestDatabase, runId: string, count: number, inserted: number) {
	await insertMembershipParents(database.sql, Math.max(count, inserted), [1, 2]);
	const original = Array.from({length: count}, (_, index) => [index + 1, 1, index + 1, 'member', index % 2 === 0 ? 'left' : 'pending', '2025-01-01 00:00:00', index % 3 === 0 ? null : `{"k":${index}}`, '2025-01-01 00:00:00', '2025-01-02 00:00:00', index % 4 === 0 ? '2025-02-01 00:00:00' : null]);
	await insertRows(database.sql, 'community_members', memberColumns, original);
	const before = await takeSnapshot(database.sql, ['community_members']);
	await addRun(database, runId);
	const rows: unknown[][] = [];
	let seq = 1;
	for (const row of original) {
		const current = Object.fromEntries(memberColumns.map((column, index) => [column, row[index]]));
		const after = {...current, status: 'active', role: 'admin', deleted_at: null, metadata: '{"backfill":true}', updated_at: '2026-11-25 19:00:00'};
		await database.sql.run(`UPDATE community_members SET status = 'active', role = 'admin', deleted_at = NULL, metadata = '{"backfill":true}', updated_at = '2026-11-25 19:00:00' WHERE id = ?`, [current.id]);
		rows.push([runId, seq, 'community_members', current.id, 'update', JSON.stringify({...pickTracked('community_members', current), updated_at: current.updated_at}), legacyRowHash('community_members', after)]);
		seq += Number(current.id) % 3 === 0 ? 1 : 0;
	}

	for (let index = 0; index < inserted; index++) {
		const row = {community_id: 2, user_id: index + 1, role: 'member', status: 'active', joined_at: '2026-01-01 00:00:00', metadata: '{"backfill":true}', deleted_at: null};
		const result = await database.sql.run('INSERT INTO community_members (community_id, user_id, role, status, joined_at, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [row.community_id, row.user_id, row.role, row.status, row.joined_at, row.metadata, '2026-11-25 19:00:00', '2026-11-25 19:00:00']);
		rows.push([runId, seq, 'community_members', result.insertId, 'insert', null, legacyRowHash('community_members', row)]);
		seq += index % 4 === 0 ? 1 : 0;
	}

	await undo(database, rows);
	return before;
}

testEachDialect('inserts are deleted and updates restored column for column; the table checksum is back; a second rollback is a no-op', async (t, database) => {
	const before = await memberScenario(database, 'run-a', 23, 17);
	const result = await rollback(database, {batch: 7});
	t.is(result.result.details?.target_run, 'run-a');
	t.deepEqual(result.metrics, {rows_deleted: 17, rows_restored: 23, files_restored: 0, conflicts: 0, already_absent: 0});
	t.deepEqual(await takeSnapshot(database.sql, ['community_members']), before);
	t.is(await statusOf(database, 'run-a'), 'rolled-back');
	const rollbackRow = await database.sql.get<{status: string; mode: string; job: string; parent_run_id: string | null}>(`SELECT status, mode, job, parent_run_id FROM runbook_runs WHERE run_id = ?`, [result.runId]);
	t.deepEqual({...rollbackRow}, {status: 'succeeded', mode: 'rollback', job: 'rollback', parent_run_id: 'run-a'}, 'parent_run_id links the rollback to its target');
	t.true(Number((await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_batches WHERE run_id = ?', [result.runId]))!.n) >= 6, 'batches of 7 undo rows');

	const again = await rollback(database);
	t.is(again.result.details?.target_run, null, 'nothing left to undo');
	const explicit = await rollback(database, {run: 'run-a'});
	t.deepEqual(explicit.metrics, {rows_deleted: 0, rows_restored: 0, files_restored: 0, conflicts: 0, already_absent: 0});
});

testEachDialect('a crash mid-rollback resumes from the undone_at marks: same final state, metrics counted once', async (t, database) => {
	const before = await memberScenario(database, 'run-b', 20, 20);
	const error = await t.throwsAsync(rollback(database, {batch: 6}, {crashAfterBatch: 2}));
	t.regex(error!.message, /crash injected/);
	const pending = Number((await database.sql.get<{n: unknown}>(`SELECT COUNT(*) AS n FROM runbook_undo WHERE run_id = 'run-b' AND undone_at IS NULL`))!.n);
	t.true(pending > 0 && pending < 40);
	const resumed = await rollback(database, {batch: 6});
	t.true(resumed.resumed, 'the interrupted rollback run continues under its own id');
	t.deepEqual(resumed.metrics, {rows_deleted: 20, rows_restored: 20, files_restored: 0, conflicts: 0, already_absent: 0});
	t.deepEqual(await takeSnapshot(database.sql, ['community_members']), before);
	t.is(Number((await database.sql.get<{n: unknown}>(`SELECT COUNT(*) AS n FROM runbook_runs WHERE mode = 'rollback'`))!.n), 1);
});

testEachDialect('a missing inserted row counts as already_absent; an update and an insert of one row in one run are undone in order', async (t, database) => {
	await addRun(database, 'run-c');
	await insertMembershipParents(database.sql, 10, [3]);
	const created = {community_id: 3, user_id: 9, role: 'member', status: 'active', joined_at: '2026-01-01 00:00:00', metadata: null, deleted_at: null};
	const inserted = await database.sql.run('INSERT INTO community_members (community_id, user_id, role, status, joined_at, created_at, updated_at) VALUES (3, 9, ?, ?, ?, ?, ?)', ['member', 'active', created.joined_at, '2026-11-25 19:00:00', '2026-11-25 19:00:00']);
	const updated = {...created, role: 'admin'};
	await database.sql.run(`UPDATE community_members SET role = 'admin' WHERE id = ?`, [inserted.insertId]);
	await undo(database, [
		['run-c', 1, 'community_members', inserted.insertId, 'insert', null, legacyRowHash('community_members', created)],
		['run-c', 1, 'community_members', inserted.insertId, 'update', JSON.stringify(pickTracked('community_members', created)), legacyRowHash('community_members', updated)],
		['run-c', 1, 'community_members', 999_999, 'insert', null, legacyRowHash('community_members', {...created, user_id: 10})],
	]);
	const result = await rollback(database);
	t.deepEqual(result.metrics, {rows_deleted: 1, rows_restored: 1, files_restored: 0, conflicts: 0, already_absent: 1});
	t.is(await database.sql.get('SELECT id FROM community_members WHERE id = ?', [inserted.insertId]), undefined);
});

testEachDialect('files: restored atomically to their previous content, created ones deleted; a changed file is a conflict', async (t, database) => {
	const appRoot = temporaryFolder();
	mkdirSync(join(appRoot, 'storage', 'app'), {recursive: true});
	const flags = join(appRoot, 'storage', 'app', 'feature-flags.json');
	const rollouts = join(appRoot, 'storage', 'app', 'feature-rollouts.json');
	const other = join(appRoot, 'storage', 'app', 'other.json');
	const previous = '{\n    "community_profile_activity": false,\n    "x": true\n}\n';
	const written = '{\n    "community_profile_activity": true,\n    "x": true\n}\n';
	writeFileSync(flags, written);
	writeFileSync(rollouts, '{"community_profile_activity":{"percentage":100}}\n');
	writeFileSync(other, 'changed by a person\n');
	const sha = (text: string) => createHash('sha256').update(text).digest('hex');
	await addRun(database, 'run-d', 'enable-feature');
	await undo(database, [
		// The journal stores JSON.stringify(previous); rows written before it had one writer may hold the raw text; null: no file.
		['run-d', 1, 'storage/app/feature-flags.json', null, 'file', JSON.stringify(previous), sha(written)],
		['run-d', 1, 'storage/app/feature-rollouts.json', null, 'file', null, sha('{"community_profile_activity":{"percentage":100}}\n')],
		['run-d', 1, 'storage/app/other.json', null, 'file', 'original\n', sha('as the run wrote it\n')],
	]);
	const error = await t.throwsAsync(rollback(database, {}, {appRoot}), {message: /Rollback left 1 conflict.*file storage\/app\/other\.json/});
	t.is((error as UsageError).exitCode, 5);
	t.like((error as UsageError).run.metrics, {rows_deleted: 0, rows_restored: 0, files_restored: 2, conflicts: 1, already_absent: 0});
	t.is(readFileSync(flags, 'utf8'), previous);
	t.false(existsSync(rollouts));
	t.is(readFileSync(other, 'utf8'), 'changed by a person\n', 'the conflict is left alone');
	const conflicts = (error as UsageError).run.extra?.conflicts as Array<{table: string; would_restore: unknown}>;
	t.is(conflicts[0]!.table, 'storage/app/other.json');
	t.deepEqual(conflicts[0]!.would_restore, {content: 'original\n'});
	t.is(await statusOf(database, 'run-d'), 'succeeded', 'not rolled back while a change is left');

	const overwrite = await rollback(database, {run: 'run-d', overwriteConflicts: true}, {appRoot});
	t.is(overwrite.metrics.files_restored, 1);
	t.is(readFileSync(other, 'utf8'), 'original\n');
	t.is(await statusOf(database, 'run-d'), 'rolled-back');
});

async function sessionWithTwoRuns(database: TestDatabase): Promise<Record<string, number>> {
	await addRun(database, 'session', 'runbook:test');
	await addRun(database, 'older', 'job-a', 'session');
	await addRun(database, 'newer', 'job-b', 'session');
	await insertMembershipParents(database.sql, 2, [5]);
	const ids: Record<string, number> = {};
	for (const [runId, user] of [['older', 1], ['newer', 2]] as const) {
		const row = {community_id: 5, user_id: user, role: 'member', status: 'active', joined_at: '2026-01-01 00:00:00', metadata: null, deleted_at: null};
		const result = await database.sql.run('INSERT INTO community_members (community_id, user_id, role, status, joined_at) VALUES (5, ?, ?, ?, ?)', [user, 'member', 'active', row.joined_at]);
		ids[runId] = result.insertId;
		await undo(database, [[runId, 1, 'community_members', result.insertId, 'insert', null, legacyRowHash('community_members', row)]]);
	}

	return ids;
}

testEachDialect('a plain rollback after a session undoes the whole session, newest first, and links itself to it', async (t, database) => {
	const ids = await sessionWithTwoRuns(database);
	const result = await rollback(database, {batch: 1});
	t.is(result.result.details?.target_run, 'session');
	t.is(result.metrics.rows_deleted, 2);
	const deletes = result.evidence.steps[0]!.sql as Array<{statement: string; parameters: unknown[]}>;
	t.deepEqual(deletes.filter(entry => entry.statement.startsWith('DELETE')).map(entry => entry.parameters), [[ids.newer], [ids.older]], 'newest first');
	t.is(await statusOf(database, 'older'), 'rolled-back');
	t.is(await statusOf(database, 'newer'), 'rolled-back');
});

testEachDialect('rollback --run=<job run of a session> undoes that job run only; --run=<session> the whole session', async (t, database) => {
	const ids = await sessionWithTwoRuns(database);
	const one = await rollback(database, {run: 'older'});
	t.is(one.result.details?.target_run, 'older');
	t.is(one.metrics.rows_deleted, 1);
	t.is(await database.sql.get('SELECT id FROM community_members WHERE id = ?', [ids.older]), undefined);
	t.truthy(await database.sql.get('SELECT id FROM community_members WHERE id = ?', [ids.newer]), 'the other job run of the session is untouched');
	t.is(await statusOf(database, 'newer'), 'succeeded');
	const session = await rollback(database, {run: 'session'});
	t.is(session.metrics.rows_deleted, 1);
	t.is(await statusOf(database, 'newer'), 'rolled-back');
});

testEachDialect('--run unknown or not an execute run is a usage error', async (t, database) => {
	await sessionWithTwoRuns(database);
	await t.throwsAsync(rollback(database, {run: 'missing'}), {instanceOf: UsageError, message: /missing was not found/});
	const done = await rollback(database);
	await t.throwsAsync(rollback(database, {run: done.runId}), {instanceOf: UsageError, message: /rollback run/});
});

test('restoreStatement: one UPDATE with a CASE per column, only the ids that recorded it', t => {
	const {statement, parameters} = restoreStatement('community_members', [
		{id: 4, values: {status: 'left', role: 'member'}},
		{id: 9, values: {status: 'pending'}},
	]);
	t.is(statement, 'UPDATE community_members SET role = CASE id WHEN ? THEN ? ELSE role END, status = CASE id WHEN ? THEN ? WHEN ? THEN ? ELSE status END WHERE id IN (?, ?)');
	t.deepEqual(parameters, [4, 'member', 4, 'left', 9, 'pending', 4, 9]);
});

test('decodeFileBefore: SQL NULL and null mean no file; a JSON string literal is unwrapped; other (older) text is the content', t => {
	t.is(decodeFileBefore(null), null);
	t.is(decodeFileBefore('null'), null);
	t.is(decodeFileBefore(JSON.stringify('{"a":1}\n')), '{"a":1}\n');
	t.is(decodeFileBefore('{"a":1}\n'), '{"a":1}\n');
});

test('lost connections are recognised in the shapes the drivers use, and become exit 8 saying the run can be resumed', t => {
	const lost = Object.assign(new Error('SELECT 1 - Connection lost: The server closed the connection.'), {code: 'PROTOCOL_CONNECTION_LOST', fatal: true});
	t.true(isConnectionLost(lost));
	t.true(isConnectionLost(Object.assign(new Error('Connection was killed'), {errno: 1927, code: 'ER_CONNECTION_KILLED'})));
	t.true(isConnectionLost(new Error('wrapped', {cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), {code: 'ECONNREFUSED'})})));
	t.false(isConnectionLost(Object.assign(new Error('Duplicate entry'), {code: 'ER_DUP_ENTRY', errno: 1062})));
	t.false(isConnectionLost(new Error('SQLITE_CONSTRAINT: UNIQUE constraint failed')));
	const mapped = asDatabaseUnreachable(lost, {dialect: 'mysql', host: 'db.internal', port: 3306, user: 'u', password: 'pw', database: 'app'} as never);
	t.true(mapped instanceof DatabaseUnreachable);
	t.is((mapped as DatabaseUnreachable).exitCode, 8);
	t.regex((mapped as DatabaseUnreachable).message, /db\.internal:3306 \(PROTOCOL_CONNECTION_LOST\)/);
	t.regex((mapped as DatabaseUnreachable).hint!, /resume/);
	const usage = new UsageError('bad');
	t.is(asDatabaseUnreachable(usage), usage);
});
