import test from 'ava';
import {writeJsonColumn} from '../../source/core/laravel-crypt.js';
import {testAppKey, testPlatform} from '../helpers/platform.js';
import {loadCommunityLinks, mapRole, parseClassroomLinks, type RoleName, rolePriority, SettingsUnreadable} from '../../source/jobs/classroom-links.js';
import {testEachDialect} from '../helpers/databases.js';
import {insertAdminUser} from '../helpers/platform-rows.js';

test('mapRole maps the §2 aliases, lower-cased, and defaults to member', t => {
	const cases: Array<[unknown, RoleName]> = [
		['student', 'member'],
		['Learner', 'member'],
		['PARTICIPANT', 'member'],
		['teacher', 'admin'],
		['Instructor', 'admin'],
		['facilitator', 'moderator'],
		['Assistant', 'moderator'],
		['Owner', 'owner'],
		['admin', 'admin'],
		['MODERATOR', 'moderator'],
		['member', 'member'],
		['superuser', 'member'],
		[undefined, 'member'],
		[null, 'member'],
		[3, 'member'],
	];
	for (const [raw, expected] of cases) {
		t.is(mapRole(raw), expected, `mapRole(${JSON.stringify(raw)})`);
	}

	t.deepEqual(rolePriority, {member: 1, moderator: 2, admin: 3, owner: 4});
});

test('object form: key or course_id, numeric strings count, invalid ids are listed, duplicates keep the highest role', t => {
	const settings = JSON.stringify({
		theme: 'dark',
		classroom_links: {
			'12': {default_role: 'Student'},
			'13': {course_id: '14', default_role: 'teacher'},
			abc: {default_role: 'admin'},
			'-3': {},
			'0': {},
			'1.5': {},
			x: {course_id: 12, default_role: 'facilitator'},
		},
	});
	const parsed = parseClassroomLinks(7, 'seven', settings);
	t.deepEqual(parsed.links, [
		{communityId: 7, courseId: 12, role: 'moderator'},
		{communityId: 7, courseId: 14, role: 'admin'},
	]);
	t.deepEqual(
		parsed.invalid.map(item => item.reason),
		['course id "0" is not a positive integer', 'course id "abc" is not a positive integer', 'course id "-3" is not a positive integer', 'course id "1.5" is not a positive integer'],
	);
});

test('list form: course_id per entry; missing, 0, -3, 1.5 and "abc" are invalid', t => {
	const settings = JSON.stringify({
		classroom_links: [{course_id: 5, default_role: 'Instructor'}, {course_id: '6'}, {default_role: 'admin'}, {course_id: 0}, {course_id: -3}, {course_id: 1.5}, {course_id: 'abc'}, {course_id: 5, default_role: 'owner'}],
	});
	const parsed = parseClassroomLinks(1, 'one', settings);
	t.deepEqual(parsed.links, [
		{communityId: 1, courseId: 5, role: 'owner'},
		{communityId: 1, courseId: 6, role: 'member'},
	]);
	t.is(parsed.invalid.length, 5);
});

test('no settings, [] / {} or no classroom_links → no links; non-JSON, and an envelope without a key, are unreadable', t => {
	t.deepEqual(parseClassroomLinks(1, 'a', null).links, []);
	t.deepEqual(parseClassroomLinks(1, 'a', '[]').links, [], 'PHP stores an empty settings array as []');
	t.deepEqual(parseClassroomLinks(1, 'a', '{}').links, []);
	t.deepEqual(parseClassroomLinks(1, 'a', '{"other":1}').links, []);
	const notJson = t.throws(() => parseClassroomLinks(2, 'b', '{not json'), {instanceOf: SettingsUnreadable});
	t.is(notJson?.reason, 'settings cannot be read: not JSON');
	const envelope = t.throws(() => parseClassroomLinks(3, 'c', '{"v":1,"ciphertext":"abc=="}'), {instanceOf: SettingsUnreadable});
	t.regex(envelope?.reason ?? '', /encrypted, and no APP_KEY is configured/);
});

test('encrypted settings (the platform\'s envelope) are read with the key', t => {
	const keys = testPlatform({appKey: testAppKey}).keys;
	const stored = writeJsonColumn({classroom_links: {'12': {default_role: 'teacher'}}}, 'envelope', keys);
	t.regex(stored, /^\{"v":1,"ciphertext":"/);
	t.deepEqual(parseClassroomLinks(4, 'd', stored, keys).links, [{communityId: 4, courseId: 12, role: 'admin'}]);
});

testEachDialect('loadCommunityLinks reads non-deleted communities in id order', async (t, db) => {
	const now = '2026-01-01 00:00:00';
	await insertAdminUser(db.sql); // communities.created_by
	await db.sql.run(
		`INSERT INTO communities (id, slug, name, settings, created_by, created_at, updated_at, deleted_at) VALUES
		(1, 'alpha', 'Alpha', ?, 1, ?, ?, NULL), (2, 'beta', 'Beta', ?, 1, ?, ?, ?), (3, 'gamma', 'Gamma', NULL, 1, ?, ?, NULL), (4, 'delta', 'Delta', ?, 1, ?, ?, NULL)`,
		['{"classroom_links":{"10":{"default_role":"teacher"}}}', now, now, '{"classroom_links":{"11":{}}}', now, now, now, now, now, '{"v":1,"ciphertext":"zz"}', now, now],
	);
	const all = await loadCommunityLinks(db.sql);
	t.deepEqual(
		all.communities.map(community => [community.communityId, community.slug, community.links]),
		[
			[1, 'alpha', [{communityId: 1, courseId: 10, role: 'admin'}]],
			[3, 'gamma', []],
		],
	);
	t.deepEqual(all.unreadable.map(item => [item.communityId, item.slug]), [[4, 'delta']]);
	const some = await loadCommunityLinks(db.sql, {communityIds: [2, 3]});
	t.deepEqual(some.communities.map(community => community.communityId), [3]);
});
