import test from 'ava';
import type {Sql} from '../../source/db/sql.js';
import {type ColumnShape, completeRow, parseDefault, readTableShape, rowAfterUpdate, rowsAfterWrite} from '../../source/db/table-shape.js';
import {wholeRowHash} from '../../source/engine/row-hash.js';
import {categories, levels, pointsRules} from '../../source/jobs/baseline-data.js';
import {testEachDialect} from '../helpers/databases.js';
import {insertMembershipParents} from '../helpers/platform-rows.js';

// The whole-row after_hash (DESIGN.md §8) is computed from the row a writer predicts from the catalog, never read
// back; if the prediction differed from what SELECT * returns, every row the run wrote would be a false conflict at
// rollback. So: for every table the jobs write, the values a job writes, inserted and updated on the real schema,
// predicted row == SELECT * row (and so their hashes), on both databases.

const now = '2026-11-25 19:00:00';

type Case = {
	readonly table: string;
	/** What the job's INSERT names (the id comes from the insert). */
	readonly insert: Record<string, unknown>;
	/** What the job's UPDATE writes into that row. */
	readonly update: Record<string, unknown>;
};

const cases: Case[] = [
	{
		// backfill-membership: writeMembers' INSERT (targetValues + created_at/updated_at) and updateMembers.
		table: 'community_members',
		insert: {community_id: 1, user_id: 2, role: 'admin', status: 'active', joined_at: '2024-01-01 00:00:00', deleted_at: null, metadata: '{"backfill":{"classrooms":{"course_id":12,"source":"classrooms"}}}', created_at: now, updated_at: now},
		update: {community_id: 1, user_id: 2, role: 'owner', status: 'active', joined_at: '2023-05-05 05:05:05', deleted_at: null, metadata: '{"v":1,"ciphertext":"eyJpdiI6IkFCQz09In0="}'},
	},
	{
		// migrate-legacy-activity: writeActivities' INSERT and its upsert's assignments.
		table: 'profile_activities',
		insert: {user_id: 2, community_id: 1, activity_type: 'community_post', subject_type: String.raw`App\Models\CommunityPost`, subject_id: 9, idempotency_key: 'a'.repeat(40), occurred_at: '2025-05-05 05:05:05', context: '{"title":"Hello \\"world\\" ✓","n":1}', created_at: now, updated_at: now},
		update: {user_id: 3, community_id: null, activity_type: 'course_completion', subject_type: String.raw`App\Models\Certificate`, subject_id: 10, occurred_at: '2025-06-06 06:06:06', context: '{}', updated_at: '2026-11-26 19:00:00'},
	},
	{
		// seed-baseline: INSERT of the values + created_at/updated_at; UPDATE of the values + updated_at.
		table: 'community_categories',
		insert: {...categories[0], is_active: 1, created_at: now, updated_at: now},
		update: {...categories[0], name: 'General (renamed)', sort_order: 9, is_active: 1, updated_at: '2026-11-26 19:00:00'},
	},
	{
		table: 'community_levels',
		insert: {community_id: null, ...levels[1], is_active: 1, created_at: now, updated_at: now},
		update: {community_id: null, ...levels[1], points_required: 150, is_active: 1, updated_at: '2026-11-26 19:00:00'},
	},
	{
		table: 'community_points_rules',
		insert: {community_id: null, ...pointsRules[3], is_active: 1, created_at: now, updated_at: now},
		update: {community_id: null, ...pointsRules[3], points: -2, is_active: 1, updated_at: '2026-11-26 19:00:00'},
	},
	{
		// enable-feature updates settings and launched_at; the insert is the platform's (the tool inserts none).
		table: 'communities',
		insert: {slug: 'campus', name: 'Campus', created_by: 1, settings: '{"classroom_links":{"5":{"default_role":"student"}}}', created_at: now, updated_at: now},
		update: {settings: '{"classroom_links":{"5":{"default_role":"student"}},"rollout":{"beta":{"enabled":true,"segments":["internal"],"updated_at":"2026-11-25T19:00:00Z"}}}', launched_at: now},
	},
	{
		// Values as JavaScript hands them over, not as the column stores them: a number into a varchar, a numeric
		// string into an int, booleans into a tinyint.
		table: 'community_categories',
		insert: {slug: '2024', name: 2024, tagline: 7.5, sort_order: '7', is_active: true, created_at: now, updated_at: now},
		update: {name: 12, sort_order: '8', is_active: false},
	},
];

async function insert(sql: Sql, table: string, written: Record<string, unknown>): Promise<number> {
	const columns = Object.keys(written);
	return (await sql.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, Object.values(written))).insertId;
}

async function selectRow(sql: Sql, table: string, id: number): Promise<Record<string, unknown>> {
	return (await sql.get<Record<string, unknown>>(`SELECT * FROM ${table} WHERE id = ?`, [id]))!;
}

testEachDialect('for every table the jobs write, the row predicted from what a job writes is the row SELECT * returns (insert and update)', async (t, database) => {
	const {sql} = database;
	// Users 1–3 (1 the admin) and community 1: what the rows below reference.
	await insertMembershipParents(sql, 3, [1]);
	const seen = new Set<string>();
	for (const [index, scenario] of cases.entries()) {
		seen.add(scenario.table);
		const shape = await readTableShape(sql, scenario.table);
		const id = await insert(sql, scenario.table, scenario.insert);
		const inserted = await selectRow(sql, scenario.table, id);
		const predicted = completeRow(shape, {...scenario.insert, id});
		t.deepEqual(predicted, inserted, `case ${index}: INSERT INTO ${scenario.table}`);
		t.is(wholeRowHash(predicted), wholeRowHash(inserted), `case ${index}: hash after INSERT INTO ${scenario.table}`);

		const columns = Object.keys(scenario.update);
		await sql.run(`UPDATE ${scenario.table} SET ${columns.map(column => `${column} = ?`).join(', ')} WHERE id = ?`, [...Object.values(scenario.update), id]);
		const updated = await selectRow(sql, scenario.table, id);
		const afterUpdate = rowAfterUpdate(shape, inserted, scenario.update);
		t.deepEqual(afterUpdate, updated, `case ${index}: UPDATE ${scenario.table}`);
		t.is(wholeRowHash(afterUpdate), wholeRowHash(updated), `case ${index}: hash after UPDATE ${scenario.table}`);
		t.notDeepEqual(updated, inserted, `case ${index}: the update changed the row`);
	}

	t.deepEqual([...seen].sort(), ['communities', 'community_categories', 'community_levels', 'community_members', 'community_points_rules', 'profile_activities']);
});

testEachDialect('literal defaults of every kind are predicted; a non-literal default is read back, or named when it cannot be', async (t, database) => {
	const {sql} = database;
	await sql.run(
		sql.dialect === 'sqlite'
			? `CREATE TABLE shape_probe (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL DEFAULT 'it''s', amount NUMERIC NULL DEFAULT 1.5, flag INTEGER NOT NULL DEFAULT 1,
			   stamped TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, note TEXT NULL, kind TEXT NOT NULL DEFAULT 'member', code TEXT NOT NULL DEFAULT 0)`
			: `CREATE TABLE shape_probe (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, label varchar(20) NOT NULL DEFAULT 'it''s', amount decimal(10,3) NULL DEFAULT 1.5,
			   flag tinyint(1) NOT NULL DEFAULT 1, stamped timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, note varchar(10) NULL, kind enum('owner','member') NOT NULL DEFAULT 'member',
			   code varchar(5) NOT NULL DEFAULT 0, touched timestamp NULL DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP)`,
	);
	const shape = await readTableShape(sql, 'shape_probe');
	const amount = sql.dialect === 'sqlite' ? 1.5 : '1.500';

	// Every column given but `stamped`'s expression default: the prediction names it, rowsAfterWrite reads it back.
	const first = await insert(sql, 'shape_probe', {note: 'x'});
	t.throws(() => completeRow(shape, {id: first, note: 'x'}), {message: /^Cannot predict shape_probe\.stamped after this insert: it has a non-literal default \((?:CURRENT_TIMESTAMP|current_timestamp\(\))\)/i});
	const [readBack] = await rowsAfterWrite(sql, 'shape_probe', [{id: first, written: {note: 'x'}}]);
	t.deepEqual(readBack, await selectRow(sql, 'shape_probe', first));
	t.like(readBack, {label: "it's", amount, flag: 1, note: 'x', kind: 'member', code: '0'});

	const second = await insert(sql, 'shape_probe', {note: 'y', stamped: now, amount: 2});
	const predicted = completeRow(shape, {id: second, note: 'y', stamped: now, amount: 2});
	t.deepEqual(predicted, await selectRow(sql, 'shape_probe', second));
	t.is(predicted.amount, sql.dialect === 'sqlite' ? 2 : '2.000');

	t.throws(() => completeRow(shape, {note: 'z', stamped: now}), {message: /shape_probe\.id .*has no default/});
	t.throws(() => completeRow(shape, {id: 9, stamped: now, nope: 1}), {message: /shape_probe\.nope is written but does not exist/});
	if (sql.dialect === 'mysql') {
		// ON UPDATE CURRENT_TIMESTAMP changes a column the UPDATE does not name.
		const before = await selectRow(sql, 'shape_probe', second);
		await sql.run(`UPDATE shape_probe SET note = 'w' WHERE id = ?`, [second]);
		t.throws(() => rowAfterUpdate(shape, before, {note: 'w'}), {message: /shape_probe\.touched after this update: it changes ON UPDATE/});
		const [updated] = await rowsAfterWrite(sql, 'shape_probe', [{id: second, before, written: {note: 'w'}}]);
		t.deepEqual(updated, await selectRow(sql, 'shape_probe', second));
	}
});

test('parseDefault: quoted strings, numbers, NULL and expressions as each catalog spells them', t => {
	t.deepEqual(parseDefault("'it''s'", false, 'mariadb'), {kind: 'literal', value: "it's"});
	t.deepEqual(parseDefault(String.raw`'a\\b\nc'`, false, 'mariadb'), {kind: 'literal', value: 'a\\b\nc'});
	t.deepEqual(parseDefault(String.raw`'a\nb'`, false, 'sqlite'), {kind: 'literal', value: String.raw`a\nb`}, 'SQLite has no backslash escapes');
	t.deepEqual(parseDefault("''", false, 'mariadb'), {kind: 'literal', value: ''});
	t.deepEqual(parseDefault('"x"', false, 'sqlite'), {kind: 'literal', value: 'x'});
	t.deepEqual(parseDefault('0', false, 'mariadb'), {kind: 'literal', value: 0});
	t.deepEqual(parseDefault('-1.50', false, 'sqlite'), {kind: 'literal', value: -1.5});
	t.deepEqual(parseDefault('NULL', true, 'mariadb'), {kind: 'literal', value: null});
	t.deepEqual(parseDefault(null, true, 'mariadb'), {kind: 'literal', value: null});
	t.deepEqual(parseDefault(null, false, 'sqlite'), {kind: 'none'});
	t.deepEqual(parseDefault('TRUE', false, 'sqlite'), {kind: 'literal', value: 1});
	t.deepEqual(parseDefault('current_timestamp()', false, 'mariadb'), {kind: 'expression', text: 'current_timestamp()'});
	t.deepEqual(parseDefault('CURRENT_TIMESTAMP', false, 'sqlite'), {kind: 'expression', text: 'CURRENT_TIMESTAMP'});
});

test('a MySQL 8 native JSON column (the server rewrites its text) is never predicted when it holds a value', t => {
	const column = (name: string, kind: ColumnShape['kind'], extra: Partial<ColumnShape> = {}): ColumnShape => ({name, kind, scale: null, nullable: true, autoIncrement: false, generated: false, rewritten: false, defaultValue: {kind: 'literal', value: null}, onUpdate: null, ...extra});
	const shape = {table: 'mysql8_members', dialect: 'mysql' as const, columns: [column('id', 'integer', {autoIncrement: true, nullable: false, defaultValue: {kind: 'none'}}), column('metadata', 'text', {rewritten: true}), column('role', 'text', {defaultValue: {kind: 'literal', value: 'member'}})]};
	t.deepEqual(completeRow(shape, {id: 4, metadata: null}), {id: 4, metadata: null, role: 'member'});
	t.throws(() => completeRow(shape, {id: 4, metadata: '{"b":1,"a":2}'}), {message: /mysql8_members\.metadata after this insert: it is stored as the server rewrites it/});
	t.deepEqual(rowAfterUpdate(shape, {id: 4, metadata: '{"a": 2, "b": 1}', role: 'member'}, {role: 'admin'}), {id: 4, metadata: '{"a": 2, "b": 1}', role: 'admin'}, 'kept as the server returned it');
});
