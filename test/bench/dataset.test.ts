import {datasetAppKey, generateDataset} from '../../bench/dataset.js';
import {demoAppKeys} from '../../source/db/demo/json-columns.js';
import {loadCommunityLinks} from '../../source/jobs/classroom-links.js';
import {testEachDialect} from '../helpers/databases.js';
import {openStored} from '../helpers/encrypted-columns.js';

// bench/dataset.ts: the caller picks the plain or the encrypted variant, for the demo sizes and the scaled generator.

for (const rows of [300, 2000]) {
	testEachDialect(`the encrypted variant (${rows} enrollments) holds envelopes under datasetAppKey(seed); the plain one plain JSON`, async (t, database) => {
		const encrypted = await generateDataset(database, rows, 9, 'encrypted');
		t.is(encrypted.variant, 'encrypted');
		t.is(encrypted.rows.enrollments, rows);
		const read = async () => (await database.sql.all<{id: number; settings: string}>('SELECT id, settings FROM communities WHERE settings IS NOT NULL ORDER BY id')).map(row => openStored(row.settings, datasetAppKey(9)));
		const envelopes = await read();
		t.true(envelopes.filter(value => value.form === 'envelope').length >= 5);

		const plain = await generateDataset(database, rows, 9);
		t.is(plain.variant, 'plain');
		const values = await read();
		t.deepEqual(values.map(value => value.form), values.map(() => 'plain'));
		t.deepEqual(values.map(value => value.value), envelopes.map(value => value.value));
	});
}

// The dense dataset (issue 13): every enrollment its own (community, user) pair, 10 % of the pairs already members.
testEachDialect('the dense dataset: one pair per usable enrollment, 10 % of the pairs members (left / pending / soft-deleted / joined later), 4 banned, foreign keys valid', async (t, database) => {
	const summary = await generateDataset(database, 2000, 9, 'encrypted', 'dense');
	t.is(summary.rows.enrollments, 2000);
	t.is(summary.rows.users, 1000);
	t.is(summary.rows.community_members, 200);
	const {sql} = database;
	const number = async (query: string) => Number((await sql.get<{n: unknown}>(query))?.n);
	// 2000 enrollments minus 2 without a user (1000, 2000) and 2 with an unknown one (997, 1994).
	t.is(await number('SELECT COUNT(*) AS n FROM enrollments e JOIN users u ON u.id = e.user_id'), 1996);
	const links = await loadCommunityLinks(sql, {keys: demoAppKeys(9)});
	const courseCommunity = new Map(links.communities.flatMap(community => community.links.map(link => [link.courseId, link.communityId] as const)));
	const enrollments = await sql.all<{user_id: unknown; course_id: unknown}>('SELECT e.user_id, e.course_id FROM enrollments e JOIN users u ON u.id = e.user_id');
	const pairs = new Set(enrollments.map(row => `${courseCommunity.get(Number(row.course_id))}:${Number(row.user_id)}`));
	t.false(pairs.has('undefined:1'), 'every course is linked');
	t.is(pairs.size, 1996);
	const statuses = await sql.all<{status: string; deleted: unknown; n: unknown}>('SELECT status, CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END AS deleted, COUNT(*) AS n FROM community_members GROUP BY status, CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END ORDER BY status, deleted');
	t.deepEqual(
		// Sorted here: MariaDB orders an enum by its index.
		statuses.map(row => [String(row.status), Number(row.deleted), Number(row.n)]).sort((a, b) => String(a).localeCompare(String(b))),
		[
			['active', 0, 50],
			['active', 1, 48],
			['banned', 0, 4],
			['left', 0, 48],
			['pending', 0, 50],
		],
	);
	// Every member row is one of the enrollments' pairs, of a user that exists.
	const members = await sql.all<{community_id: unknown; user_id: unknown}>('SELECT m.community_id, m.user_id FROM community_members m JOIN users u ON u.id = m.user_id JOIN communities c ON c.id = m.community_id');
	t.is(members.length, 200);
	t.true(members.every(member => pairs.has(`${Number(member.community_id)}:${Number(member.user_id)}`)));
	// Metadata on the members with i mod 40 in (3, 33): envelopes under the dataset's key.
	const metadata = await sql.all<{metadata: string}>('SELECT metadata FROM community_members WHERE metadata IS NOT NULL');
	t.is(metadata.length, 100);
	t.true(metadata.every(row => openStored(row.metadata, datasetAppKey(9)).form === 'envelope'));
	t.true(await number('SELECT COUNT(*) AS n FROM community_posts') > 0);
	t.true(await number('SELECT COUNT(*) AS n FROM certificates') > 0);
});
