import {createHash} from 'node:crypto';
import test from 'ava';
import {appKeysFrom} from '../../source/core/laravel-crypt.js';
import {countRows, demoAppKey, generateDemo, specialUsers} from '../../source/db/demo/generate-demo.js';
import {platformForeignKeys, platformTables} from '../../source/db/platform-schema.js';
import type {Sql} from '../../source/db/sql.js';
import {createTestDatabase, testEachDialect} from '../helpers/databases.js';
import {openStored, type StoredForm} from '../helpers/encrypted-columns.js';

// DESIGN.md §10 `demo`: every nasty case present, deterministic, identical on SQLite and MariaDB.

const now = new Date('2026-11-25T15:30:00Z');
const ninetyDaysAgo = '2026-08-27 15:30:00';

type Link = {courseId: number; role: string};
const priority: Record<string, number> = {member: 1, moderator: 2, admin: 3, owner: 4};

/** The link rules of DESIGN.md §2, written independently of the jobs' parser. */
function parseLinks(settings: string | null): {valid: Link[]; invalid: unknown[]; shape: 'object' | 'list' | 'none'} {
	const links = settings === null ? undefined : (JSON.parse(settings) as {classroom_links?: unknown}).classroom_links;
	if (links === undefined || links === null || typeof links !== 'object') {
		return {valid: [], invalid: [], shape: 'none'};
	}

	const entries: Array<[string, Record<string, unknown>]> = Array.isArray(links) ? links.map((value, index) => [String(index), value]) : Object.entries(links as Record<string, Record<string, unknown>>);
	const valid: Link[] = [];
	const invalid: unknown[] = [];
	for (const [key, value] of entries) {
		const id = value.course_id ?? key;
		const courseId = typeof id === 'number' ? id : typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : Number.NaN;
		if (!Number.isInteger(courseId) || courseId <= 0) {
			invalid.push(id);
			continue;
		}

		const raw = String(value.default_role ?? 'member').toLowerCase();
		const role = ['student', 'learner', 'participant'].includes(raw) ? 'member' : ['teacher', 'instructor'].includes(raw) ? 'admin' : ['facilitator', 'assistant'].includes(raw) ? 'moderator' : raw in priority ? raw : 'member';
		valid.push({courseId, role});
	}

	return {valid, invalid, shape: Array.isArray(links) ? 'list' : 'object'};
}

type Community = {id: number; settings: string | null; deleted_at: string | null};

/** The JSON text an encrypted column holds (decrypted with the demo's key of `seed`); NULL stays NULL. */
const jsonOf = (stored: string | null, seed = 42) => (stored === null ? null : openStored(stored, demoAppKey(seed)).plaintext);

async function count(sql: Sql, query: string, parameters: unknown[] = []): Promise<number> {
	const row = await sql.get<{n: number | string}>(query, parameters);
	return Number(row?.n ?? 0);
}

/** sha256 per table over `SELECT * … ORDER BY id`, every value as text. */
async function digests(sql: Sql): Promise<Record<string, string>> {
	const result: Record<string, string> = {};
	for (const table of platformTables) {
		const hash = createHash('sha256');
		for (const row of await sql.all(`SELECT * FROM ${table} ORDER BY id`)) {
			hash.update(JSON.stringify(Object.entries(row).map(([key, value]) => [key, value === null ? null : String(value)])) + '\n');
		}

		result[table] = hash.digest('hex');
	}

	return result;
}

const formatUnix = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 19).replace('T', ' ');

testEachDialect('the tiny dataset has every case the backfill must handle', async (t, {sql}) => {
	const summary = await generateDemo(sql, {size: 'tiny', seed: 42, now});
	t.is(summary.rows.enrollments, 300);
	t.deepEqual(summary.rows, await countRows(sql));

	// Duplicate enrollments, NULL / orphan / zero users, NULL entry_date with created_at always set.
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM (SELECT user_id, course_id FROM enrollments WHERE user_id > 0 GROUP BY user_id, course_id HAVING COUNT(*) > 1) d')) > 0);
	t.is(await count(sql, 'SELECT COUNT(*) AS n FROM enrollments WHERE user_id = ? AND course_id = 1', [specialUsers.duplicateEnrollment]), 3);
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM enrollments WHERE user_id IS NULL')) > 0);
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM enrollments WHERE user_id = 0')) > 0);
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM enrollments e WHERE e.user_id > 0 AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id)')) > 0);
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM enrollments WHERE entry_date IS NULL AND user_id > 0')) > 0);
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM enrollments WHERE entry_date IS NULL AND user_id IS NULL')) > 0);
	t.is(await count(sql, 'SELECT COUNT(*) AS n FROM enrollments WHERE created_at IS NULL'), 0);

	// Links: both shapes, invalid entries, mixed-case roles, no links, NULL settings, other keys, soft-deleted.
	const communities = (await sql.all<Community>('SELECT id, settings, deleted_at FROM communities ORDER BY id')).map(c => ({...c, settings: jsonOf(c.settings)}));
	const parsed = communities.map(community => ({...community, ...parseLinks(community.settings)}));
	t.true(parsed.some(c => c.shape === 'object' && c.valid.length > 0));
	t.true(parsed.some(c => c.shape === 'list' && c.valid.length > 0));
	t.true(parsed.some(c => c.settings === null));
	t.true(parsed.some(c => c.settings !== null && c.shape === 'none'));
	t.true(parsed.some(c => c.shape !== 'none' && c.valid.length === 0 && c.invalid.length > 0)); // links, none valid
	t.true(parsed.some(c => c.deleted_at !== null && c.valid.length > 0));
	t.true(parsed.some(c => c.settings !== null && Object.keys(JSON.parse(c.settings) as object).some(key => key !== 'classroom_links') && c.valid.length > 0));
	const invalid = parsed.flatMap(c => c.invalid);
	for (const value of ['abc', -3, 0, '0']) {
		t.true(invalid.includes(value), `invalid course id ${String(value)}`);
	}

	t.true(communities.some(c => c.settings?.includes('[{"default_role":"assistant"}')), 'a list entry without course_id');
	for (const role of ['"Teacher"', '"FACILITATOR"', '"assistant"', '"owner"', '"weird"', '"student"', '"teacher"']) {
		t.true(communities.some(c => c.settings?.includes(`"default_role":${role}`)), role);
	}

	t.true(communities.some(c => c.settings?.includes('"12":{"default_role":"student"}')), 'object keyed by course id');
	const live = parsed.filter(c => c.deleted_at === null);
	const communitiesOfCourse = new Map<number, Set<number>>();
	for (const c of live) {
		for (const link of c.valid) {
			communitiesOfCourse.set(link.courseId, (communitiesOfCourse.get(link.courseId) ?? new Set()).add(c.id));
		}
	}

	t.true([...communitiesOfCourse.values()].some(set => set.size > 1), 'a course linked to several communities');
	const courses = await count(sql, 'SELECT COUNT(*) AS n FROM courses');
	t.true(communitiesOfCourse.size < courses, 'some courses are linked nowhere');

	// Pairs (community, user) over valid enrollments: several courses, roles to raise, joined_at to move earlier.
	const enrollments = await sql.all<{user_id: number; course_id: number; entry_date: number | null; created_at: string}>(
		'SELECT e.user_id, e.course_id, e.entry_date, e.created_at FROM enrollments e JOIN users u ON u.id = e.user_id WHERE e.course_id IS NOT NULL',
	);
	const pairs = new Map<string, {courses: Set<number>; role: number; joined: string}>();
	for (const c of live) {
		for (const link of c.valid) {
			for (const enrollment of enrollments.filter(e => Number(e.course_id) === link.courseId)) {
				const key = `${c.id}:${enrollment.user_id}`;
				const joined = enrollment.entry_date === null ? enrollment.created_at : formatUnix(Number(enrollment.entry_date));
				const pair = pairs.get(key) ?? {courses: new Set(), role: 0, joined};
				pair.courses.add(link.courseId);
				pair.role = Math.max(pair.role, priority[link.role]!);
				pair.joined = joined < pair.joined ? joined : pair.joined;
				pairs.set(key, pair);
			}
		}
	}

	t.true([...pairs.values()].some(pair => pair.courses.size > 1), 'a user enrolled in several courses of one community');
	const members = (await sql.all<{community_id: number; user_id: number; role: string; status: string; joined_at: string; metadata: string | null; deleted_at: string | null}>('SELECT * FROM community_members')).map(m => ({...m, metadata: jsonOf(m.metadata)}));
	for (const status of ['active', 'left', 'pending', 'banned']) {
		t.true(members.some(m => m.status === status && m.deleted_at === null), status);
	}

	t.true(members.some(m => m.deleted_at !== null), 'soft-deleted member');
	const withPair = members.map(m => ({member: m, pair: pairs.get(`${m.community_id}:${m.user_id}`)})).filter(({pair}) => pair !== undefined);
	t.true(withPair.some(({member, pair}) => member.status === 'active' && member.deleted_at === null && priority[member.role]! < pair!.role), 'active member below the link role');
	t.true(withPair.some(({member, pair}) => member.status === 'active' && priority[member.role]! > pair!.role), 'member above the link role (never lowered)');
	t.true(withPair.some(({member, pair}) => member.joined_at > pair!.joined), 'member joined later than the enrollment');
	t.true(withPair.some(({member}) => member.status === 'banned'), 'banned member with enrollments');
	t.true(withPair.some(({member}) => member.deleted_at !== null), 'soft-deleted member with enrollments');
	t.true(withPair.some(({member}) => member.metadata !== null && Object.keys(JSON.parse(member.metadata) as object).length > 0), 'member metadata to keep');
	t.true([...pairs.keys()].some(key => !members.some(m => `${m.community_id}:${m.user_id}` === key)), 'pairs without a member row');
});

testEachDialect('the tiny dataset has every case the activity migration must handle', async (t, {sql}) => {
	await generateDemo(sql, {size: 'tiny', seed: 42, now});
	const orphan = (table: string, column: string) => `SELECT COUNT(*) AS n FROM ${table} x WHERE x.${column} > 0 AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = x.${column})`;
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM community_posts WHERE deleted_at IS NOT NULL')) > 0);
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM community_post_comments WHERE deleted_at IS NOT NULL')) > 0);
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM community_posts WHERE published_at IS NULL')) > 0);
	// author_id is NOT NULL: no NULL authors any more. Orphan and zero authors break the foreign key to users, as rows
	// of a dump restored with FOREIGN_KEY_CHECKS=0 can.
	t.true((await count(sql, orphan('community_posts', 'author_id'))) > 0);
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM community_posts WHERE author_id = 0')) > 0);
	t.true((await count(sql, orphan('community_post_comments', 'author_id'))) > 0);
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM community_post_comments WHERE author_id = 0')) > 0);
	t.is(await count(sql, 'SELECT COUNT(*) AS n FROM community_post_comments c LEFT JOIN community_posts p ON p.id = c.post_id WHERE p.id IS NULL OR p.community_id <> c.community_id'), 0);
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM community_posts p JOIN communities c ON c.id = p.community_id WHERE c.deleted_at IS NOT NULL')) > 0);
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM certificates WHERE user_id IS NULL')) > 0);
	t.true((await count(sql, orphan('certificates', 'user_id'))) > 0);
	const linked = (await sql.all<{settings: string | null}>('SELECT settings FROM communities WHERE deleted_at IS NULL')).flatMap(c => parseLinks(jsonOf(c.settings)).valid.map(link => link.courseId));
	const certificateCourses = (await sql.all<{course_id: number | null}>('SELECT course_id FROM certificates WHERE user_id IS NOT NULL')).map(row => row.course_id);
	t.true(certificateCourses.some(course => course !== null && linked.includes(Number(course))), 'certificate for a linked course');
	t.true(certificateCourses.some(course => course !== null && !linked.includes(Number(course))), 'certificate for an unlinked course');
	// Plenty inside migrate-legacy-activity's default --since="-90 days" (relative to `now`), and some older.
	for (const [table, column] of [['community_posts', 'created_at'], ['community_post_comments', 'created_at'], ['certificates', 'created_at']] as const) {
		t.true((await count(sql, `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} >= ?`, [ninetyDaysAgo])) >= 10, `${table} recent`);
		t.true((await count(sql, `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} < ?`, [ninetyDaysAgo])) >= 5, `${table} older`);
	}

	// Nothing in the future, even when generated just after midnight.
	const startOfDay = '2026-11-25 00:00:00';
	for (const [table, columns] of [['community_posts', ['created_at', 'published_at', 'updated_at', 'deleted_at']], ['community_post_comments', ['created_at', 'deleted_at']], ['certificates', ['created_at']], ['community_members', ['joined_at', 'updated_at', 'deleted_at']], ['personal_access_tokens', ['created_at', 'last_used_at']]] as const) {
		for (const column of columns) {
			t.is(await count(sql, `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} >= ?`, [startOfDay]), 0, `${table}.${column}`);
		}
	}

	// The internal user: the platform admin, memberships, activity, and tokens for a few other users.
	t.is((await sql.get<{role: string}>('SELECT role FROM users WHERE email = ?', ['ops@example.test']))?.role, 'admin');
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM community_members WHERE user_id = ?', [specialUsers.internal])) > 0);
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM community_posts WHERE author_id = ? AND created_at >= ?', [specialUsers.internal, ninetyDaysAgo])) > 0);
	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM certificates WHERE user_id = ?', [specialUsers.internal])) > 0);
	t.true((await count(sql, 'SELECT COUNT(DISTINCT tokenable_id) AS n FROM personal_access_tokens WHERE tokenable_id <> ?', [specialUsers.internal])) >= 3);
	t.is(await count(sql, 'SELECT COUNT(*) AS n FROM profile_activities'), 0);
});

testEachDialect('the tiny dataset fills the NOT NULL columns as the platform does and keeps the points history', async (t, {sql}) => {
	await generateDemo(sql, {size: 'tiny', seed: 42, now});
	t.is(await count(sql, `SELECT COUNT(*) AS n FROM users WHERE role NOT IN ('student', 'instructor', 'admin')`), 0);
	for (const role of ['student', 'instructor', 'admin']) {
		t.true((await count(sql, 'SELECT COUNT(*) AS n FROM users WHERE role = ?', [role])) > 0, role);
	}

	const passwords = await sql.all<{password: string}>('SELECT DISTINCT password FROM users');
	t.true(passwords.every(row => /^\$2y\$10\$[./A-Za-z\d]{53}$/.test(row.password)), 'bcrypt-shaped password hashes');
	t.is(await count(sql, `SELECT COUNT(*) AS n FROM communities c JOIN users u ON u.id = c.created_by WHERE u.role IN ('admin', 'instructor')`), 12);
	t.true((await count(sql, `SELECT COUNT(*) AS n FROM communities WHERE visibility = 'private' AND join_policy = 'request'`)) > 0);
	t.is(await count(sql, `SELECT COUNT(*) AS n FROM community_posts WHERE body_md IS NULL OR body_md = ''`), 0);

	// Only the authors of posts and comments break a foreign key (rows of a dump restored without the checks).
	const broken: string[] = [];
	for (const table of platformTables) {
		for (const key of platformForeignKeys(table)) {
			const orphans = await count(sql, `SELECT COUNT(*) AS n FROM ${table} x WHERE x.${key.column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${key.references} p WHERE p.id = x.${key.column})`);
			if (orphans > 0) {
				broken.push(`${table}.${key.column}`);
			}
		}
	}

	t.deepEqual(broken, ['community_posts.author_id', 'community_post_comments.author_id']);

	// Points history: entries sum to each member's points, and members the backfill will touch have one (left,
	// pending, soft-deleted, lower role) as well as members it must leave alone (banned, unchanged).
	t.is(await count(sql, `SELECT COUNT(*) AS n FROM community_members m WHERE m.points <> COALESCE((SELECT SUM(l.points_delta) FROM community_points_ledger l WHERE l.member_id = m.id), m.points)`), 0);
	for (const user of [specialUsers.left, specialUsers.pending, specialUsers.softDeleted, specialUsers.lowerRole, specialUsers.banned, specialUsers.unchanged]) {
		t.true((await count(sql, 'SELECT COUNT(*) AS n FROM community_points_ledger l JOIN community_members m ON m.id = l.member_id WHERE m.user_id = ?', [user])) > 0, `ledger of user ${user}`);
	}

	t.true((await count(sql, 'SELECT COUNT(*) AS n FROM community_points_ledger l JOIN community_members m ON m.id = l.member_id WHERE m.id > 13')) > 0, 'bulk members have a history too');
});

testEachDialect('the token authenticates the internal user and is deterministic', async (t, {sql}) => {
	const summary = await generateDemo(sql, {size: 'tiny', seed: 42, now});
	t.regex(summary.token, /^\d+\|[A-Za-z\d]{40}$/);
	const [id, plain] = summary.token.split('|') as [string, string];
	const row = await sql.get<{tokenable_type: string; tokenable_id: number; name: string; token: string; abilities: string}>('SELECT * FROM personal_access_tokens WHERE id = ?', [Number(id)]);
	t.is(row?.token, createHash('sha256').update(plain).digest('hex'));
	t.is(row?.tokenable_type, 'App\\Models\\User');
	t.is(Number(row?.tokenable_id), summary.internalUserId);
	t.is(row?.name, 'community-runbook-demo');
	t.is(row?.abilities, '["*"]');
	t.is((await generateDemo(sql, {size: 'tiny', seed: 42, now})).token, summary.token);
	t.not((await generateDemo(sql, {size: 'tiny', seed: 43, now})).token, summary.token);
});

testEachDialect('the same seed gives the same rows, another seed other rows, and old runs are cleared', async (t, {sql}) => {
	await sql.run(`INSERT INTO runbook_locks (name, run_id, host, pid, acquired_at, heartbeat_at) VALUES ('community-runbook', 'x', 'h', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')`);
	await generateDemo(sql, {size: 'tiny', seed: 42, now});
	t.is(await count(sql, 'SELECT COUNT(*) AS n FROM runbook_locks'), 0);
	const first = await digests(sql);
	await generateDemo(sql, {size: 'tiny', seed: 42, now});
	t.deepEqual(await digests(sql), first);
	const other = await digests((await generateDemo(sql, {size: 'tiny', seed: 7, now}), sql));
	for (const table of ['users', 'enrollments', 'community_members', 'community_posts', 'community_post_comments', 'certificates', 'communities', 'personal_access_tokens']) {
		t.not(other[table], first[table], table);
	}

	t.is(other.profile_activities, first.profile_activities); // empty either way
});

test('SQLite and MariaDB get identical rows for the same seed and size', async t => {
	const sqlite = await createTestDatabase('sqlite');
	const mysql = await createTestDatabase('mysql');
	try {
		for (const [size, seed] of [['tiny', 1234], ['small', 42]] as const) {
			const [a, b] = [await generateDemo(sqlite.sql, {size, seed, now}), await generateDemo(mysql.sql, {size, seed, now})];
			t.deepEqual(a.rows, b.rows, size);
			t.is(a.token, b.token);
			t.deepEqual(await digests(sqlite.sql), await digests(mysql.sql), size);
		}

		const small = await countRows(sqlite.sql);
		t.like(small, {users: 5000, courses: 120, communities: 24, enrollments: 100_000, community_posts: 6000, community_post_comments: 18_000, certificates: 3000});
	} finally {
		await sqlite.destroy();
		await mysql.destroy();
	}
});

// DESIGN.md §2 "Encrypted attributes": the six columns as the platform writes them today, under the key given.
const handKey = `base64:${Buffer.from(Array.from({length: 32}, (_, index) => 0x40 + index)).toString('base64')}`;
const encryptedColumns = ['communities.settings', 'community_members.metadata', 'community_members.preferences', 'community_posts.metadata', 'community_posts.lifecycle', 'community_points_rules.metadata'] as const;

async function storedValues(sql: Sql, column: string): Promise<Array<{id: number; stored: string}>> {
	const [table, name] = column.split('.') as [string, string];
	const rows = await sql.all<{id: number; stored: string}>(`SELECT id, ${name} AS stored FROM ${table} WHERE ${name} IS NOT NULL ORDER BY id`);
	return rows.map(row => ({id: Number(row.id), stored: String(row.stored)}));
}

testEachDialect('the six encrypted columns hold envelopes under the key given, a few rows in the older forms, other JSON columns plain', async (t, {sql}) => {
	const keys = appKeysFrom({APP_KEY: handKey}, 'AES-256-CBC', 'test key');
	await generateDemo(sql, {size: 'tiny', seed: 42, now, attributes: {form: 'envelope', keys}});
	// [column, row id, form, decrypted JSON], written by hand from the demo's hand-crafted rows.
	const expected: Array<[string, number, StoredForm, unknown]> = [
		['communities.settings', 1, 'envelope', {classroom_links: {1: {default_role: 'student'}, 2: {default_role: 'Teacher'}, 12: {default_role: 'student'}}, theme: 'dark', welcome_message: 'Welcome to campus!'}],
		['communities.settings', 4, 'plain', {theme: 'light', pinned_post_id: null}],
		['communities.settings', 7, 'bare-payload', {classroom_links: [{course_id: 4, default_role: 'assistant'}, {course_id: 7, default_role: 'teacher'}], visibility: 'private'}],
		['communities.settings', 9, 'envelope', {classroom_links: {}}],
		['community_members.metadata', 2, 'plain', {source: 'invite'}],
		['community_members.metadata', 4, 'bare-payload', {left_reason: 'graduated'}],
		['community_members.metadata', 6, 'envelope', {banned_by: 1, reason: 'spam'}],
		['community_members.preferences', 3, 'envelope', {digest: 'daily'}],
		['community_members.preferences', 10, 'plain', []],
		['community_posts.metadata', 9, 'plain', {client: 'import', legacy_id: 'wp-3187'}],
		['community_posts.metadata', 10, 'envelope', {client: 'web', link: {url: 'https://example.test/tutoring/slots', title: 'Tutoring slots'}}],
		['community_posts.lifecycle', 2, 'envelope', {}],
		['community_posts.lifecycle', 9, 'bare-payload', {state: 'draft'}],
		['community_points_rules.metadata', 1, 'envelope', {note: 'double points for campus posts'}],
	];
	for (const [column, id, form, value] of expected) {
		const row = (await storedValues(sql, column)).find(candidate => candidate.id === id);
		const opened = openStored(row!.stored, handKey);
		t.is(opened.form, form, `${column} row ${id}`);
		t.deepEqual(opened.value, value, `${column} row ${id}`);
	}

	// The plaintext is PHP's json_encode: `/` escaped.
	const link = (await storedValues(sql, 'community_posts.metadata')).find(row => row.id === 10)!;
	t.is(openStored(link.stored, handKey).plaintext, String.raw`{"client":"web","link":{"url":"https:\/\/example.test\/tutoring\/slots","title":"Tutoring slots"}}`);
	t.is((await sql.get<{settings: string | null}>('SELECT settings FROM communities WHERE id = 5'))?.settings, null);

	// Every stored value of the six columns opens with the key; all but the older-form rows are envelopes.
	const formOf = new Map(expected.map(([column, id, form]) => [`${column}:${id}`, form]));
	for (const column of encryptedColumns) {
		const values = await storedValues(sql, column);
		for (const row of values) {
			t.is(openStored(row.stored, handKey).form, formOf.get(`${column}:${row.id}`) ?? 'envelope', `${column} row ${row.id}`);
		}
	}

	// Bulk members share one stored text per variant (encrypted once): the three metadata variants of the generator.
	const bulkMetadata = (await storedValues(sql, 'community_members.metadata')).filter(row => row.id > 13);
	t.is(new Set(bulkMetadata.map(row => row.stored)).size, 3);
	t.deepEqual([...new Set(bulkMetadata.map(row => openStored(row.stored, handKey).plaintext))].sort(), ['{"notifications":{"digest":"weekly"},"source":"invite"}', '{"source":"import","tags":["early-adopter"]}', '{"source":"signup"}']);

	// Not an EncryptedAttribute column: plain, byte for byte.
	t.is((await sql.get<{rewards: string}>('SELECT rewards FROM community_levels WHERE id = 1'))?.rewards, '{"badge":"rookie"}');
});

testEachDialect('a wrong key does not open the envelopes (their MAC is checked)', async (t, {sql}) => {
	await generateDemo(sql, {size: 'tiny', seed: 42, now, attributes: {form: 'envelope', keys: appKeysFrom({APP_KEY: handKey}, 'AES-256-CBC', 'test key')}});
	const settings = (await storedValues(sql, 'communities.settings')).find(row => row.id === 1)!;
	t.throws(() => openStored(settings.stored, demoAppKey(42)), {message: 'MAC mismatch'});
	t.is(openStored(settings.stored, handKey).form, 'envelope');
});

testEachDialect('the plain form (demo --legacy-plain) writes the same values as plain JSON, no envelope anywhere', async (t, {sql}) => {
	await generateDemo(sql, {size: 'tiny', seed: 42, now});
	const encrypted = new Map<string, unknown>();
	for (const column of encryptedColumns) {
		for (const row of await storedValues(sql, column)) {
			encrypted.set(`${column}:${row.id}`, openStored(row.stored, demoAppKey(42)).value);
		}
	}

	const summary = await generateDemo(sql, {size: 'tiny', seed: 42, now, attributes: {form: 'plain'}});
	t.is(summary.encryptedAttributes, 'plain');
	let values = 0;
	for (const column of encryptedColumns) {
		for (const row of await storedValues(sql, column)) {
			t.false(row.stored.includes('ciphertext') || row.stored.startsWith('"'), `${column} row ${row.id}`);
			const opened = openStored(row.stored, undefined);
			t.is(opened.form, 'plain');
			t.deepEqual(opened.value, encrypted.get(`${column}:${row.id}`), `${column} row ${row.id}`);
			values++;
		}
	}

	t.is(values, encrypted.size);
	t.true(values > 100);
});

test('the default key is the demo key of the seed: 32 bytes, the same for a seed, another for another seed', t => {
	t.regex(demoAppKey(42), /^base64:[A-Za-z\d+/]{43}=$/);
	t.is(Buffer.from(demoAppKey(42).slice(7), 'base64').length, 32);
	t.is(demoAppKey(42), demoAppKey(42));
	t.not(demoAppKey(43), demoAppKey(42));
});
