import process from 'node:process';
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import {enableFeature} from '../../source/jobs/enable-feature.js';
import {wholeRowHash} from '../../source/engine/row-hash.js';
import {rollbackJob} from '../../source/jobs/rollback.js';
import {takeSnapshot} from '../../source/evidence/snapshot.js';
import {testEachDialect, type TestDatabase} from '../helpers/databases.js';
import {createAppRoot} from '../helpers/profile-feed.js';
import {runJob} from '../helpers/run-job.js';
import {insertAdminUser} from '../helpers/platform-rows.js';

const flag = 'community_profile_activity';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const flagsPath = (root: string) => join(root, 'storage', 'app', 'feature-flags.json');
const rolloutsPath = (root: string) => join(root, 'storage', 'app', 'feature-rollouts.json');

async function seedCommunities(database: TestDatabase): Promise<void> {
	await insertAdminUser(database.sql); // communities.created_by
	await database.sql.run(
		`INSERT INTO communities (id, slug, name, settings, launched_at, created_by, created_at, updated_at, deleted_at) VALUES
		 (1, 'campus-general', 'Campus General', '{"classroom_links":{"5":{"default_role":"student"}},"theme":"blue"}', NULL, 1, '2025-01-01 00:00:00', '2025-01-01 00:00:00', NULL),
		 (2, 'study-hall', 'Study Hall', NULL, '2025-03-04 05:06:07', 1, '2025-01-01 00:00:00', '2025-01-01 00:00:00', NULL),
		 (3, 'old-club', 'Old Club', '{}', NULL, 1, '2025-01-01 00:00:00', '2025-01-01 00:00:00', '2025-06-01 00:00:00')`,
	);
}

testEachDialect('writes both files pretty-printed, keeps other flags, leaves no temp file', async (t, database) => {
	const root = createAppRoot();
	writeFileSync(flagsPath(root), '{"other_flag":true,"legacy":false}');
	const outcome = await runJob(database, enableFeature, {flag, percentage: '100', segment: 'internal'}, {appRoot: root});
	t.is(outcome.status, 'succeeded');
	t.deepEqual(outcome.metrics, {flags_changed: 1, files_written: 2, percentage: 100, communities_marked: 0, communities_unchanged: 0, communities_unresolved: 0});
	t.is(readFileSync(flagsPath(root), 'utf8'), '{\n  "other_flag": true,\n  "legacy": false,\n  "community_profile_activity": true\n}\n');
	t.is(
		readFileSync(rolloutsPath(root), 'utf8'),
		'{\n  "community_profile_activity": {\n    "enabled": true,\n    "percentage": 100,\n    "segments": [\n      "internal"\n    ],\n    "updated_at": "2026-11-25T19:00:00Z"\n  }\n}\n',
	);
	t.deepEqual(readdirSync(join(root, 'storage', 'app')).sort(), ['feature-flags.json', 'feature-rollouts.json']);
});

testEachDialect('percentage 0 writes false, segments list kept in order, storage/app created when missing', async (t, database) => {
	const root = createAppRoot();
	const bare = join(root, 'fresh');
	const outcome = await runJob(database, enableFeature, {flag: 'beta.search-v2', percentage: 0, segment: 'staff,qa-team'}, {appRoot: bare});
	t.is(outcome.metrics.flags_changed, 1);
	t.deepEqual(JSON.parse(readFileSync(flagsPath(bare), 'utf8')), {'beta.search-v2': false});
	t.deepEqual(JSON.parse(readFileSync(rolloutsPath(bare), 'utf8')), {'beta.search-v2': {enabled: false, percentage: 0, segments: ['staff', 'qa-team'], updated_at: '2026-11-25T19:00:00Z'}});
});

testEachDialect('undo rows hold the previous file contents exactly (and null for an absent file)', async (t, database) => {
	const root = createAppRoot();
	const previous = '{ "other_flag" : true }';
	writeFileSync(flagsPath(root), previous);
	const outcome = await runJob(database, enableFeature, {flag}, {appRoot: root});
	const rows = await database.sql.all<{table_name: string; row_id: unknown; action: string; before: string | null; after_hash: string}>(
		'SELECT table_name, row_id, action, `before`, after_hash FROM runbook_undo WHERE run_id = ? ORDER BY id',
		[outcome.runId],
	);
	t.deepEqual(
		rows.map(row => ({...row, row_id: row.row_id === null ? null : Number(row.row_id)})),
		[
			{table_name: 'storage/app/feature-flags.json', row_id: null, action: 'file', before: JSON.stringify(previous), after_hash: sha256(readFileSync(flagsPath(root), 'utf8'))},
			{table_name: 'storage/app/feature-rollouts.json', row_id: null, action: 'file', before: null, after_hash: sha256(readFileSync(rolloutsPath(root), 'utf8'))},
		],
	);
	t.is(JSON.parse(rows[0]!.before!), previous);
});

testEachDialect('marks beta communities (settings merged, launched_at set if NULL) and warns about unresolved ones', async (t, database) => {
	await seedCommunities(database);
	const root = createAppRoot();
	const outcome = await runJob(database, enableFeature, {flag, community: 'Campus General,2,old-club,404'}, {appRoot: root});
	t.deepEqual(outcome.metrics, {flags_changed: 1, files_written: 2, percentage: 100, communities_marked: 2, communities_unchanged: 0, communities_unresolved: 2});
	t.true(outcome.warnings.some(warning => warning.includes('not marked as beta: old-club, 404')));
	const rows = await database.sql.all<{id: unknown; settings: string | null; launched_at: string | null; updated_at: string}>('SELECT id, settings, launched_at, updated_at FROM communities ORDER BY id');
	t.deepEqual(JSON.parse(rows[0]!.settings!), {classroom_links: {5: {default_role: 'student'}}, theme: 'blue', rollout: {beta: {enabled: true, segments: ['internal'], updated_at: '2026-11-25T19:00:00Z'}}});
	t.is(rows[0]!.launched_at, '2026-11-25 19:00:00');
	t.deepEqual(JSON.parse(rows[1]!.settings!), {rollout: {beta: {enabled: true, segments: ['internal'], updated_at: '2026-11-25T19:00:00Z'}}});
	t.is(rows[1]!.launched_at, '2025-03-04 05:06:07');
	t.is(rows[2]!.settings, '{}');
	t.is(rows[2]!.launched_at, null);
	t.is(rows[0]!.updated_at, '2025-01-01 00:00:00');

	const undo = await database.sql.all<{row_id: unknown; before: string; after_hash: string}>("SELECT row_id, `before`, after_hash FROM runbook_undo WHERE table_name = 'communities' ORDER BY row_id");
	t.deepEqual(undo.map(row => Number(row.row_id)), [1, 2]);
	t.deepEqual(JSON.parse(undo[0]!.before), {settings: '{"classroom_links":{"5":{"default_role":"student"}},"theme":"blue"}', launched_at: null});
	t.deepEqual(JSON.parse(undo[1]!.before), {settings: null, launched_at: '2025-03-04 05:06:07'});
	// after_hash covers every column of the row as the run left it.
	const whole = await database.sql.all<Record<string, unknown>>('SELECT * FROM communities ORDER BY id');
	t.is(undo[0]!.after_hash, wholeRowHash(whole[0]!));
	t.is(undo[1]!.after_hash, wholeRowHash(whole[1]!));
	t.regex(undo[0]!.after_hash, /^r2:[\w-]{43}$/);
});

testEachDialect('a second identical run changes nothing (files byte-identical, flags_changed 0)', async (t, database) => {
	await seedCommunities(database);
	const root = createAppRoot();
	await runJob(database, enableFeature, {flag, community: '1'}, {appRoot: root});
	const flagsBefore = readFileSync(flagsPath(root), 'utf8');
	const rolloutsBefore = readFileSync(rolloutsPath(root), 'utf8');
	const settingsBefore = await database.sql.get<{settings: string}>('SELECT settings FROM communities WHERE id = 1');
	const second = await runJob(database, enableFeature, {flag, community: '1'}, {appRoot: root, now: '2026-11-26T08:00:00Z'});
	t.deepEqual(second.metrics, {flags_changed: 0, files_written: 0, percentage: 100, communities_marked: 0, communities_unchanged: 1, communities_unresolved: 0});
	t.is(readFileSync(flagsPath(root), 'utf8'), flagsBefore);
	t.is(readFileSync(rolloutsPath(root), 'utf8'), rolloutsBefore);
	t.deepEqual(await database.sql.get<{settings: string}>('SELECT settings FROM communities WHERE id = 1'), settingsBefore);
	const undo = await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_undo WHERE run_id = ?', [second.runId]);
	t.is(Number(undo!.n), 0);
	// A different percentage is a change again.
	const third = await runJob(database, enableFeature, {flag, percentage: 50}, {appRoot: root, now: '2026-11-26T09:00:00Z'});
	t.is(third.metrics.flags_changed, 1);
	t.is(third.metrics.files_written, 1, 'the flags file already says true; only the rollout changes');
});

testEachDialect('warns when APP_FEATURE_FLAGS overrides the flag and when the config cache exists', async (t, database) => {
	const root = createAppRoot();
	mkdirSync(join(root, 'bootstrap', 'cache'), {recursive: true});
	writeFileSync(join(root, 'bootstrap', 'cache', 'config.php'), '<?php return [];');
	const outcome = await runJob(database, enableFeature, {flag}, {appRoot: root, env: {APP_FEATURE_FLAGS: '{"community_profile_activity":false}'}});
	t.is(outcome.warnings.length, 2);
	t.regex(outcome.warnings[0]!, /APP_FEATURE_FLAGS sets community_profile_activity to false .*would not take effect/);
	t.regex(outcome.warnings[1]!, /php artisan config:clear/);
	const quiet = await runJob(database, enableFeature, {flag: 'other'}, {appRoot: createAppRoot(), env: {APP_FEATURE_FLAGS: '{"community_profile_activity":false}'}});
	t.deepEqual(quiet.warnings, []);
});

testEachDialect('the dry run reports the same metrics and writes nothing', async (t, database) => {
	await seedCommunities(database);
	const root = createAppRoot();
	const outcome = await runJob(database, enableFeature, {flag, community: 'campus-general'}, {appRoot: root, mode: 'dry-run'});
	t.deepEqual(outcome.metrics, {flags_changed: 1, files_written: 2, percentage: 100, communities_marked: 1, communities_unchanged: 0, communities_unresolved: 0});
	t.false(existsSync(flagsPath(root)));
	t.false(existsSync(rolloutsPath(root)));
	t.is((await database.sql.get<{settings: string}>('SELECT settings FROM communities WHERE id = 1'))!.settings.includes('rollout'), false);
	t.is(Number((await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_runs'))!.n), 0);
});

testEachDialect('an unreadable flags file is a prerequisite failure and nothing is written', async (t, database) => {
	const root = createAppRoot();
	writeFileSync(flagsPath(root), '{not json');
	const error = await t.throwsAsync(runJob(database, enableFeature, {flag}, {appRoot: root}));
	t.is((error as {exitCode?: number}).exitCode, 3);
	t.regex(error!.message, /feature-flags\.json is not a valid JSON object/);
	t.is(readFileSync(flagsPath(root), 'utf8'), '{not json');
	t.false(existsSync(rolloutsPath(root)));
});

for (const [raw, pattern] of [
	[{percentage: '101'}, /--percentage must be an integer 0\.\.100/],
	[{percentage: '-5'}, /--percentage must be an integer 0\.\.100/],
	[{percentage: 'ten'}, /--percentage must be an integer 0\.\.100/],
	[{percentage: '1.5'}, /--percentage must be an integer 0\.\.100/],
	[{flag: 'Bad Flag'}, /--flag must be a flag name matching/],
	[{flag: undefined}, /--flag must be a flag name/],
	[{segment: 'internal,Staff!'}, /--segment must be a comma list.*"Staff!"/],
] as const) {
	test(`params: ${JSON.stringify(raw)} is refused with a message naming the flag`, t => {
		const parsed = enableFeature.parameters.safeParse({flag, ...raw});
		t.false(parsed.success);
		t.regex(parsed.error!.issues[0]!.message, pattern);
	});
}

test('params: defaults and typed values from the runbook', t => {
	t.deepEqual(enableFeature.parameters.parse({flag}), {flag, percentage: 100, segment: ['internal'], force: false});
	t.deepEqual(enableFeature.parameters.parse({flag, percentage: 25, segment: ['a', 'b,c'], community: 'x, 3'}), {flag, percentage: 25, segment: ['a', 'b', 'c'], community: ['x', '3'], force: false});
});

testEachDialect('rollback of an enable-feature run restores both files and the community settings exactly', async (t, database) => {
	await seedCommunities(database);
	const root = createAppRoot();
	const previousFlags = '{"other_flag": true}\n';
	writeFileSync(flagsPath(root), previousFlags);
	const before = await takeSnapshot(database.sql, ['communities']);
	const outcome = await runJob(database, enableFeature, {flag, community: 'campus-general,study-hall'}, {appRoot: root});
	t.is(outcome.metrics.communities_marked, 2);
	const result = await runJob(database, rollbackJob, {run: outcome.runId}, {mode: 'rollback', appRoot: root, now: '2026-11-25T20:00:00Z'});
	t.is(result.metrics.conflicts, 0);
	t.is(result.metrics.files_restored, 2);
	t.is(result.metrics.rows_restored, 2);
	t.is(readFileSync(flagsPath(root), 'utf8'), previousFlags);
	t.false(existsSync(rolloutsPath(root)));
	t.deepEqual(await takeSnapshot(database.sql, ['communities']), before);
});

testEachDialect('a named community with encrypted settings and no key is a prerequisite failure naming it; nothing is written', async (t, database) => {
	await seedCommunities(database);
	await database.sql.run(`UPDATE communities SET settings = '{"v":1,"ciphertext":"abc"}' WHERE id = 2`);
	const root = createAppRoot();
	const error = await t.throwsAsync(runJob(database, enableFeature, {flag, community: 'study-hall'}, {appRoot: root}));
	t.is((error as {exitCode?: number}).exitCode, 3);
	t.regex(error!.message, /communities\.settings of row 2 cannot be read: encrypted, and no APP_KEY is configured/);
	t.false(existsSync(flagsPath(root)));
	t.is(Number((await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_runs'))!.n), 0);
});
