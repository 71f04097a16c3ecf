import test from 'ava';
import {fillPairs, pairsTable} from '../../source/db/bookkeeping/backfill-pairs.js';
import type {Sql} from '../../source/db/sql.js';
import {linksTable, pairAggregation} from '../../source/jobs/backfill/pair-sql.js';
import {enrollmentsPerCourse, packCommunities} from '../../source/jobs/backfill/work-chunks.js';
import {type ClassroomLink, loadCommunityLinks} from '../../source/jobs/classroom-links.js';
import {entryDateLocalSeconds} from '../../source/jobs/platform/local-time.js';
import {testEachDialect} from '../helpers/databases.js';
import {testPlatform} from '../helpers/platform.js';
import {seedBackfillDataset} from './helpers/backfill-dataset.js';

const link = (communityId: number, courseId: number): ClassroomLink => ({communityId, courseId, role: 'member'});

test('communities are packed whole, in id order, up to the limit; a larger community is a chunk of its own', t => {
	const links = [link(3, 30), link(1, 10), link(2, 20), link(1, 11), link(4, 40), link(5, 50)];
	const enrollments = new Map([
		[10, 30],
		[11, 30],
		[20, 40],
		[30, 100],
		[40, 10],
		[50, 10],
	]);
	t.deepEqual(
		packCommunities(links, enrollments, 100).map(chunk => chunk.map(item => `${item.communityId}:${item.courseId}`)),
		[['1:10', '1:11', '2:20'], ['3:30'], ['4:40', '5:50']],
		'60 + 40 enrollments is exactly the limit: one chunk',
	);
	t.deepEqual(packCommunities(links, new Map([...enrollments, [20, 41]]), 100).map(chunk => chunk.map(item => item.communityId)), [[1, 1], [2], [3], [4, 5]]);
	t.deepEqual(packCommunities(links, enrollments, 1000).length, 1);
	t.deepEqual(packCommunities([], enrollments, 100), []);
	// A course without enrollments counts zero: its community joins the chunk before it.
	t.deepEqual(packCommunities([link(1, 10), link(2, 99)], enrollments, 30).length, 1);
});

async function pairRows(sql: Sql, runId: string) {
	return sql.all(`SELECT id, community_id, user_id, target_priority, target_joined_at, first_enrollment_id, first_course_id, enrollment_count FROM ${pairsTable} WHERE run_id = ? ORDER BY id`, [runId]);
}

testEachDialect('the work table filled community by community equals the one-statement fill, in the same id order (community, user)', async (t, database) => {
	const {sql} = database;
	await seedBackfillDataset(sql);
	const platform = testPlatform();
	const links = (await loadCommunityLinks(sql, {keys: platform.keys})).communities.flatMap(community => community.links);
	const upperBound = Number((await sql.get<{n: unknown}>('SELECT MAX(id) AS n FROM enrollments'))?.n);
	const dates = {entryLocal: await entryDateLocalSeconds(sql, platform), runStartLocalSeconds: Date.parse('2026-11-25T19:00:00Z') / 1000};
	const counts = await enrollmentsPerCourse(sql, links, upperBound);
	t.is(counts.get(10), 7);
	t.is(counts.get(12), 6);

	const whole = await fillPairs(sql, 'run-whole', [pairAggregation(sql.dialect, linksTable(sql.dialect, links), upperBound, dates)], () => undefined);
	const expected = (await pairRows(sql, 'run-whole')).map(({id, ...row}) => row);

	const chunks = packCommunities(links, counts, 1);
	t.true(chunks.length >= 3, `one chunk per linked community, got ${chunks.length}`);
	const recorded: string[] = [];
	const chunked = await fillPairs(sql, 'run-chunked', chunks.map(part => pairAggregation(sql.dialect, linksTable(sql.dialect, part), upperBound, dates)), statement => recorded.push(statement));
	t.is(recorded.length, chunks.length);
	t.is(chunked.count, whole.count);
	t.is(chunked.enrollments, whole.enrollments);
	t.deepEqual(
		(await pairRows(sql, 'run-chunked')).map(({id, ...row}) => row),
		expected,
	);
	t.is(Number((await sql.get<{n: unknown}>(`SELECT COUNT(*) AS n FROM ${pairsTable} WHERE run_id = 'run-whole'`))?.n), 0, 'a fill clears the older run');
});
