import {join} from 'node:path';
import test from 'ava';
import {createTestDatabase, dialects} from '../helpers/databases.js';
import {buildDataset} from './dataset.js';
import {checksums, cli, temporaryFolder} from './helpers.js';

// DESIGN.md §8: a row changed "by the platform" between the run and the rollback is a conflict — listed with both
// versions, left alone, the rest undone, exit 5; `--overwrite-conflicts` restores it.

const small = {users: 120, enrollments: 400, posts: 60, comments: 60, certificates: 20};

for (const dialect of dialects) {
	test(`a row edited after the run is a conflict: listed, left alone, exit 5; --overwrite-conflicts restores it [${dialect}]`, async t => {
		t.timeout(10 * 60_000);
		const database = await createTestDatabase(dialect);
		try {
			await buildDataset(database.sql, small);
			const folder = temporaryFolder();
			const common = [`--database-url=${database.url}`, `--app-root=${folder}`, `--evidence-dir=${join(folder, 'evidence')}`];
			const before = await checksums(database.sql, ['community_members']);
			const original = await database.sql.all<Record<string, unknown>>('SELECT id, role, status, updated_at FROM community_members ORDER BY id');

			const run = await cli(['backfill-membership', '--source=classrooms', '--batch=25', ...common, '--output=json']);
			t.is(run.code, 0, run.stderr);
			const runId = String(run.json?.run_id);

			// The platform edits one member the run created and one it reactivated or updated.
			const created = await database.sql.get<{row_id: number}>(`SELECT row_id FROM runbook_undo WHERE run_id = ? AND action = 'insert' ORDER BY id LIMIT 1`, [runId]);
			const updated = await database.sql.get<{row_id: number}>(`SELECT row_id FROM runbook_undo WHERE run_id = ? AND action = 'update' ORDER BY id LIMIT 1`, [runId]);
			t.truthy(created);
			t.truthy(updated);
			await database.sql.run(`UPDATE community_members SET role = 'owner', updated_at = '2027-01-01 00:00:00' WHERE id = ?`, [Number(created!.row_id)]);
			await database.sql.run(`UPDATE community_members SET status = 'banned' WHERE id = ?`, [Number(updated!.row_id)]);
			const editedCreated = await database.sql.get<Record<string, unknown>>('SELECT role, status FROM community_members WHERE id = ?', [Number(created!.row_id)]);
			const editedUpdated = await database.sql.get<Record<string, unknown>>('SELECT role, status, joined_at, metadata FROM community_members WHERE id = ?', [Number(updated!.row_id)]);

			const rollback = await cli(['rollback', `--run=${runId}`, ...common, '--output=json']);
			t.is(rollback.code, 5, rollback.stderr);
			t.regex(rollback.stderr, /conflict/i);
			t.regex(rollback.stderr, new RegExp(`community_members #(${String(created!.row_id)}|${String(updated!.row_id)})`));
			t.regex(rollback.stderr, /--overwrite-conflicts/);
			const json = rollback.json!;
			t.is(json.status, 'failed');
			t.is((json.error as {code: number}).code, 5);
			const conflicts = json.conflicts as Array<Record<string, any>>;
			t.deepEqual(conflicts.map(conflict => conflict.row_id).sort((a, b) => a - b), [Number(created!.row_id), Number(updated!.row_id)].sort((a, b) => a - b));
			const onCreated = conflicts.find(conflict => conflict.row_id === Number(created!.row_id))!;
			t.is(onCreated.action, 'insert');
			t.is(onCreated.now.role, 'owner', 'the version as it is now');
			t.regex(String(onCreated.as_left.after_hash), /^r2:[\w-]{43}$/, 'the version as the run left it (its hash)');
			t.is(onCreated.would_restore, null, 'rollback would delete the inserted row');
			const onUpdated = conflicts.find(conflict => conflict.row_id === Number(updated!.row_id))!;
			t.is(onUpdated.action, 'update');
			t.is(onUpdated.now.status, 'banned');
			t.truthy(onUpdated.would_restore.status, 'the before values it would restore');
			t.is((json.metrics as Record<string, number>).conflicts, 2);
			t.true((json.metrics as Record<string, number>).rows_deleted > 0, 'everything else was undone');

			// Left alone…
			t.deepEqual(await database.sql.get('SELECT role, status FROM community_members WHERE id = ?', [Number(created!.row_id)]), editedCreated);
			t.deepEqual(await database.sql.get('SELECT role, status, joined_at, metadata FROM community_members WHERE id = ?', [Number(updated!.row_id)]), editedUpdated);
			// …and only they remain to undo.
			const pending = await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_undo WHERE run_id = ? AND undone_at IS NULL', [runId]);
			t.is(Number(pending!.n), 2);
			t.is((await database.sql.get<{status: string}>('SELECT status FROM runbook_runs WHERE run_id = ?', [runId]))!.status, 'succeeded', 'not rolled-back while conflicts remain');
			const rollbackRun = await database.sql.get<{status: string; mode: string; params: string; parent_run_id: string}>('SELECT status, mode, params, parent_run_id FROM runbook_runs WHERE run_id = ?', [String(json.run_id)]);
			t.is(rollbackRun!.mode, 'rollback');
			t.is(rollbackRun!.status, 'failed');
			t.is((JSON.parse(rollbackRun!.params) as {run: string}).run, runId);
			t.is(rollbackRun!.parent_run_id, runId, 'the rollback run names its target');

			// Again without the flag: the same two conflicts, still exit 5, nothing else done.
			const again = await cli(['rollback', `--run=${runId}`, ...common, '--output=json']);
			t.is(again.code, 5);
			t.is((again.json!.conflicts as unknown[]).length, 2);

			const overwrite = await cli(['rollback', `--run=${runId}`, '--overwrite-conflicts', ...common, '--output=json']);
			t.is(overwrite.code, 0, overwrite.stderr);
			t.is((overwrite.json!.metrics as Record<string, number>).conflicts, 2);
			t.is((overwrite.json!.metrics as Record<string, number>).rows_deleted, 1);
			t.is((overwrite.json!.metrics as Record<string, number>).rows_restored, 1);
			t.is(await database.sql.get('SELECT id FROM community_members WHERE id = ?', [Number(created!.row_id)]), undefined, 'the inserted row is deleted');
			const restored = await database.sql.get<Record<string, unknown>>('SELECT role, status FROM community_members WHERE id = ?', [Number(updated!.row_id)]);
			const originalRow = original.find(row => Number(row.id) === Number(updated!.row_id))!;
			t.deepEqual(restored, {role: originalRow.role, status: originalRow.status});
			t.deepEqual(await checksums(database.sql, ['community_members']), before);
			t.is((await database.sql.get<{status: string}>('SELECT status FROM runbook_runs WHERE run_id = ?', [runId]))!.status, 'rolled-back');
		} finally {
			await database.destroy();
		}
	});
}
