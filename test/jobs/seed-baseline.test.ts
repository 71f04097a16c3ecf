import {seedBaseline} from '../../source/jobs/seed-baseline.js';
import {testEachDialect} from '../helpers/databases.js';
import {runJob} from '../helpers/run-job.js';
import {withoutForeignKeyChecks} from '../helpers/platform-rows.js';

const created = {categories_created: 5, categories_updated: 0, levels_created: 4, levels_updated: 0, rules_created: 6, rules_updated: 0, records_unchanged: 0};
const unchanged = {categories_created: 0, categories_updated: 0, levels_created: 0, levels_updated: 0, rules_created: 0, rules_updated: 0, records_unchanged: 15};

testEachDialect('seed-baseline creates 15 rows, then a re-run writes nothing', async (t, database) => {
	const first = await runJob(database, seedBaseline, {});
	t.deepEqual(first.metrics, created);
	const second = await runJob(database, seedBaseline, {});
	t.deepEqual(second.metrics, unchanged);

	const categories = await database.sql.all<{slug: string; name: string; sort_order: number; color_hex: string; tagline: string; icon_path: string}>(
		'SELECT slug, name, sort_order, color_hex, tagline, icon_path FROM community_categories ORDER BY sort_order',
	);
	t.deepEqual(categories[1], {slug: 'study-groups', name: 'Study Groups', sort_order: 2, color_hex: '#7c3aed', tagline: 'Peer cohorts working through the same track', icon_path: 'communities/icons/study-groups.svg'});
	const levels = await database.sql.all<{level: number; name: string; points_required: number}>('SELECT level, name, points_required FROM community_levels WHERE community_id IS NULL ORDER BY level');
	t.deepEqual(levels, [
		{level: 1, name: 'Newbie', points_required: 0},
		{level: 2, name: 'Contributor', points_required: 100},
		{level: 3, name: 'Leader', points_required: 500},
		{level: 4, name: 'Champion', points_required: 1500},
	]);
	const streak = await database.sql.get<{points: number; cooldown_seconds: number}>("SELECT points, cooldown_seconds FROM community_points_rules WHERE community_id IS NULL AND action = 'login_streak'");
	t.deepEqual(streak, {points: 1, cooldown_seconds: 86_400});
	const undo = await database.sql.all<{action: string}>('SELECT action FROM runbook_undo WHERE run_id = ?', [first.runId]);
	t.is(undo.length, 15);
	t.true(undo.every(row => row.action === 'insert'));
});

testEachDialect('seed-baseline updates a drifted row and keeps community-specific rows apart', async (t, database) => {
	// Community 7 is not in this database: its level breaks the foreign key (kept as it was, inserted without the checks).
	await withoutForeignKeyChecks(database.sql, async sql => sql.run("INSERT INTO community_levels (community_id, level, name, points_required, is_active) VALUES (NULL, 2, 'Helper', 50, 1), (7, 1, 'Local newbie', 0, 1)"));
	const result = await runJob(database, seedBaseline, {});
	t.is(result.metrics.levels_created, 3);
	t.is(result.metrics.levels_updated, 1);
	const level = await database.sql.get<{name: string; points_required: number}>('SELECT name, points_required FROM community_levels WHERE community_id IS NULL AND level = 2');
	t.deepEqual(level, {name: 'Contributor', points_required: 100});
	const local = await database.sql.get<{name: string}>('SELECT name FROM community_levels WHERE community_id = 7 AND level = 1');
	t.is(local?.name, 'Local newbie');
	const undo = await database.sql.get<{before: string}>("SELECT `before` FROM runbook_undo WHERE run_id = ? AND action = 'update'", [result.runId]);
	t.like(JSON.parse(undo!.before), {name: 'Helper', points_required: 50});
});

testEachDialect('seed-baseline dry run predicts and writes nothing', async (t, database) => {
	const plan = await runJob(database, seedBaseline, {}, {mode: 'dry-run'});
	t.deepEqual(plan.metrics, created);
	const rows = await database.sql.get<{n: number}>('SELECT (SELECT COUNT(*) FROM community_categories) + (SELECT COUNT(*) FROM runbook_runs) + (SELECT COUNT(*) FROM runbook_undo) AS n');
	t.is(Number(rows?.n), 0);
});
