import {RollbackFailed} from '../../source/core/errors.js';
import {takeSnapshot} from '../../source/evidence/snapshot.js';
import {rollbackJob} from '../../source/jobs/rollback.js';
import {seedBaseline} from '../../source/jobs/seed-baseline.js';
import {testEachDialect} from '../helpers/databases.js';
import {runJob} from '../helpers/run-job.js';

// Step 10 as the runbook runs it: a job through runJobStep (which holds the lock), given the session's runs.

const tables = ['community_categories', 'community_levels', 'community_points_rules'];

testEachDialect('the rollback job undoes the session\'s runs through the step runner', async (t, database) => {
	const before = await takeSnapshot(database.sql, tables);
	const seeded = await runJob(database, seedBaseline, {force: false});
	t.is(seeded.metrics.categories_created, 5);
	const rolled = await runJob(database, rollbackJob, {run: seeded.runId}, {mode: 'rollback'});
	t.deepEqual(rolled.metrics, {rows_deleted: 15, rows_restored: 0, files_restored: 0, conflicts: 0, already_absent: 0});
	t.deepEqual(await takeSnapshot(database.sql, tables), before);
	t.is((await database.sql.get<{status: string}>('SELECT status FROM runbook_runs WHERE run_id = ?', [seeded.runId]))!.status, 'rolled-back');
	const again = await runJob(database, rollbackJob, {run: seeded.runId}, {mode: 'rollback'});
	t.deepEqual(again.metrics, {rows_deleted: 0, rows_restored: 0, files_restored: 0, conflicts: 0, already_absent: 0});
});

testEachDialect('the rollback job fails with exit 5 when a conflict is left', async (t, database) => {
	const seeded = await runJob(database, seedBaseline, {force: false});
	await database.sql.run(`UPDATE community_categories SET name = 'Renamed by an admin' WHERE slug = 'general'`);
	const error = await t.throwsAsync(runJob(database, rollbackJob, {run: seeded.runId}, {mode: 'rollback'}), {instanceOf: RollbackFailed});
	t.is(error!.exitCode, 5);
	t.regex(error!.message, /community_categories #\d+/);
	t.is(Number((await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM community_categories'))!.n), 1, 'only the conflicting category is left');
	const overwritten = await runJob(database, rollbackJob, {run: seeded.runId, overwriteConflicts: true}, {mode: 'rollback'});
	t.is(overwritten.metrics.rows_deleted, 1);
});
