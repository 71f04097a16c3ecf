import {RollbackFailed} from '../../source/core/errors.js';
import {legacyRowHash} from '../../source/engine/row-hash.js';
import {ForeignKeyCatalog} from '../../source/engine/undo/foreign-keys.js';
import type {RollbackConflict} from '../../source/engine/undo/undo-rows.js';
import {takeSnapshot} from '../../source/evidence/snapshot.js';
import {backfillMembership} from '../../source/jobs/backfill-membership.js';
import {rollbackJob} from '../../source/jobs/rollback.js';
import {type TestDatabase, testEachDialect} from '../helpers/databases.js';
import {insertPlatformRows} from '../helpers/platform-rows.js';
import {runJob} from '../helpers/run-job.js';
import {temporaryFolder} from '../reliability/helpers.js';
import {seedBackfillDataset} from './helpers/backfill-dataset.js';

// Issue 14 (DESIGN.md §8): rollback compares every column of a row with what the run left (the platform's own
// columns — last_seen_at, points — included), and never deletes a row the run inserted that other rows reference
// through a foreign key (community_points_ledger.member_id … ON DELETE CASCADE), not even with --overwrite-conflicts.
//
// The backfill of test/jobs/helpers/backfill-dataset.ts (batch 4) creates members 11–18 and updates 2, 3, 5, 6, 7
// (worked out in backfill-membership.test.ts); member 12 is (community 1, user 2), member 14 (community 2, user 2).

const ledgerColumns = ['community_id', 'member_id', 'action', 'points_delta', 'balance_after', 'source_type', 'source_id', 'occurred_at', 'created_at', 'updated_at'];
const ledgerRow = [1, 12, 'post', 10, 10, 'community_post', 77, '2026-11-26 08:00:00', '2026-11-26 08:00:00', '2026-11-26 08:00:00'];

async function backfillThenPlatformChanges(database: TestDatabase) {
	await seedBackfillDataset(database.sql);
	const before = await database.sql.all<Record<string, unknown>>('SELECT * FROM community_members ORDER BY id');
	const run = await runJob(database, backfillMembership, {source: 'classrooms', batch: '4'}, {now: '2026-11-25T19:00:00Z'});
	t0(run.metrics.members_created === 8 && run.metrics.members_updated === 2 && run.metrics.members_reactivated === 3, 'the backfill of the dataset');
	// The platform, after the run: points history on member 12, a visit by member 14 (a column the run never wrote).
	await insertPlatformRows(database.sql, 'community_points_ledger', ledgerColumns, [ledgerRow]);
	const ledger = await database.sql.all<Record<string, unknown>>('SELECT * FROM community_points_ledger');
	await database.sql.run(`UPDATE community_members SET last_seen_at = '2026-11-26 09:30:00' WHERE id = 14`);
	return {before, runId: run.runId, ledger, ledgerId: Number(ledger[0]!.id)};
}

function t0(condition: boolean, what: string): void {
	if (!condition) {
		throw new Error(`Scenario setup failed: ${what}`);
	}
}

async function rollback(database: TestDatabase, params: Record<string, unknown>) {
	return runJob(database, rollbackJob, params, {mode: 'rollback', now: '2026-11-26T10:00:00Z', appRoot: temporaryFolder()});
}

const memberIds = async (database: TestDatabase) => (await database.sql.all<{id: unknown}>('SELECT id FROM community_members ORDER BY id')).map(row => Number(row.id));

testEachDialect('rollback: a referenced created member and one the platform changed are conflicts, kept whole; everything else undone (exit 5)', async (t, database) => {
	const {before, runId, ledger, ledgerId} = await backfillThenPlatformChanges(database);
	const error = await t.throwsAsync(rollback(database, {run: runId}), {instanceOf: RollbackFailed});
	t.is(error!.exitCode, 5);
	t.regex(error!.message, new RegExp(`community_members #12 \\(insert\\) is referenced by community_points_ledger\\.member_id \\(1 row: #${ledgerId}\\)`));
	t.regex(error!.message, /community_members #14 \(insert\) differs from what run/);
	t.regex(error!.hint!, /never deleted, not even with --overwrite-conflicts/);
	t.like(error!.run.metrics, {rows_deleted: 6, rows_restored: 5, conflicts: 2});

	const conflicts = [...(error!.run.extra?.conflicts as RollbackConflict[])].sort((a, b) => Number(a.row_id) - Number(b.row_id));
	t.deepEqual(conflicts.map(conflict => [conflict.row_id, conflict.action, conflict.resolution]), [[12, 'insert', 'left'], [14, 'insert', 'left']]);
	t.deepEqual(conflicts[0]!.referenced_by, [{table: 'community_points_ledger', column: 'member_id', count: 1, ids: [ledgerId], on_delete: 'CASCADE'}]);
	t.is(conflicts[0]!.now?.id, 12);
	t.is(conflicts[0]!.would_restore, null);
	t.is(conflicts[1]!.referenced_by, undefined);
	t.is(conflicts[1]!.now?.last_seen_at, '2026-11-26 09:30:00', 'the version as it is now shows the column the platform changed');
	t.is(conflicts[1]!.would_restore, null, 'rollback would delete it');

	// Nothing of theirs deleted, the ledger row intact, every other change undone: members 1–10 exactly as before.
	t.deepEqual(await memberIds(database), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14]);
	t.deepEqual(await database.sql.all('SELECT * FROM community_points_ledger'), ledger);
	t.deepEqual(await database.sql.all('SELECT * FROM community_members WHERE id <= 10 ORDER BY id'), before);
	t.is(Number((await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_undo WHERE run_id = ? AND undone_at IS NULL', [runId]))!.n), 2);
	t.is((await database.sql.get<{status: string}>('SELECT status FROM runbook_runs WHERE run_id = ?', [runId]))!.status, 'succeeded', 'not rolled back while conflicts remain');
});

testEachDialect('rollback --overwrite-conflicts deletes the changed member but keeps the referenced one and its ledger row (exit 5)', async (t, database) => {
	const {before, runId, ledger, ledgerId} = await backfillThenPlatformChanges(database);
	const error = await t.throwsAsync(rollback(database, {run: runId, overwriteConflicts: true}), {instanceOf: RollbackFailed});
	t.is(error!.exitCode, 5);
	t.like(error!.run.metrics, {rows_deleted: 7, rows_restored: 5, conflicts: 2});
	t.regex(error!.message, new RegExp(`^Rollback left 1 conflict .*community_members #12 \\(insert\\) is referenced by community_points_ledger\\.member_id \\(1 row: #${ledgerId}\\), kept`));
	const conflicts = error!.run.extra?.conflicts as RollbackConflict[];
	t.deepEqual(conflicts.map(conflict => [conflict.row_id, conflict.resolution]), [[12, 'kept-referenced']]);
	t.is(conflicts[0]!.referenced_by?.[0]?.table, 'community_points_ledger');

	t.deepEqual(await memberIds(database), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12], 'member 14 deleted (overwritten), member 12 kept');
	t.deepEqual(await database.sql.all('SELECT * FROM community_points_ledger'), ledger);
	t.deepEqual(await database.sql.all('SELECT * FROM community_members WHERE id <= 10 ORDER BY id'), before);
	const pending = await database.sql.all<{row_id: unknown; action: string}>('SELECT row_id, action FROM runbook_undo WHERE run_id = ? AND undone_at IS NULL', [runId]);
	t.deepEqual(pending.map(row => [Number(row.row_id), row.action]), [[12, 'insert']], 'its journal row stays pending');

	// Once the platform's ledger row is gone, the next rollback finishes the job.
	await database.sql.run('DELETE FROM community_points_ledger WHERE id = ?', [ledgerId]);
	const done = await rollback(database, {run: runId});
	t.like(done.metrics, {rows_deleted: 1, conflicts: 0});
	t.deepEqual(await memberIds(database), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
	t.is((await database.sql.get<{status: string}>('SELECT status FROM runbook_runs WHERE run_id = ?', [runId]))!.status, 'rolled-back');
});

testEachDialect('undo rows in the legacy form (a bare hash of the tracked columns) still roll back, and still catch a tracked change', async (t, database) => {
	await seedBackfillDataset(database.sql);
	const snapshot = await takeSnapshot(database.sql, ['community_members']);
	const run = await runJob(database, backfillMembership, {source: 'classrooms', batch: '4'}, {now: '2026-11-25T19:00:00Z'});
	// What an undo log written before the whole-row hash holds: legacyRowHash of the row as the run left it.
	const undo = await database.sql.all<{id: unknown; row_id: unknown; after_hash: string}>('SELECT id, row_id, after_hash FROM runbook_undo WHERE run_id = ?', [run.runId]);
	t.true(undo.length === 13 && undo.every(row => row.after_hash.startsWith('r2:')), 'the run wrote whole-row hashes');
	for (const row of undo) {
		const member = await database.sql.get<Record<string, unknown>>('SELECT * FROM community_members WHERE id = ?', [Number(row.row_id)]);
		await database.sql.run('UPDATE runbook_undo SET after_hash = ? WHERE id = ?', [legacyRowHash('community_members', member!), Number(row.id)]);
	}

	t.regex((await database.sql.get<{after_hash: string}>('SELECT after_hash FROM runbook_undo WHERE run_id = ? LIMIT 1', [run.runId]))!.after_hash, /^[\da-f]{64}$/);
	// A column the legacy hash does not cover changes unnoticed (as before); a tracked one is still a conflict.
	await database.sql.run(`UPDATE community_members SET last_seen_at = '2026-11-26 09:30:00' WHERE id = 14`);
	await database.sql.run(`UPDATE community_members SET role = 'owner' WHERE id = 16`);
	const error = await t.throwsAsync(rollback(database, {run: run.runId}), {instanceOf: RollbackFailed});
	t.deepEqual((error!.run.extra?.conflicts as RollbackConflict[]).map(conflict => conflict.row_id), [16]);
	t.like(error!.run.metrics, {rows_deleted: 7, rows_restored: 5, conflicts: 1});

	await database.sql.run(`UPDATE community_members SET role = 'moderator' WHERE id = 16`);
	const done = await rollback(database, {run: run.runId});
	t.like(done.metrics, {rows_deleted: 1, conflicts: 0});
	t.deepEqual(await takeSnapshot(database.sql, ['community_members']), snapshot, 'the table is back exactly');
});

testEachDialect('the foreign keys onto a table come from the database catalog', async (t, database) => {
	const catalog = new ForeignKeyCatalog();
	const onMembers = await catalog.referencing(database.sql, 'community_members');
	t.deepEqual(
		onMembers.map(key => ({table: key.table, columns: key.columns, referencedColumns: key.referencedColumns, onDelete: key.onDelete, hasId: key.hasId})),
		[{table: 'community_points_ledger', columns: ['member_id'], referencedColumns: ['id'], onDelete: 'CASCADE', hasId: true}],
	);
	const onCategories = await catalog.referencing(database.sql, 'community_categories');
	t.deepEqual(onCategories.map(key => [key.table, key.columns[0], key.onDelete]), [['communities', 'category_id', 'SET NULL']]);
	t.deepEqual(await catalog.referencing(database.sql, 'profile_activities'), []);
});
