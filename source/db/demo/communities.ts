import type {Sql} from '../sql.js';
import {type DemoLayout, specialCommunityCount, specialUsers} from './cast.js';
import {formatTimestamp, insertRows, type Value} from './insert-rows.js';
import type {DemoJsonColumns} from './json-columns.js';
import {seededRandom} from './random.js';
import {type DemoClock, daySeconds} from './sizes.js';

// Communities are few: they are built in TypeScript. `settings.classroom_links` takes both shapes of DESIGN.md §2
// (an object keyed by course id, a list with course_id), mixed-case and unknown roles, and invalid entries.
// created_by is NOT NULL (a foreign key to users, ON DELETE RESTRICT): the platform admin (or an instructor of the
// cast) created each of them.

type CommunityRow = {slug: string; name: string; bio: string; settings: string | null; launchedDaysAgo: number | null; deletedDaysAgo: number | null; createdBy: number};

/** The nine hand-crafted communities (ids 1..9), settings as the JSON the platform holds (json-columns.ts stores it). */
const handCrafted: CommunityRow[] = [
	{
		slug: 'campus-general',
		name: 'Campus General',
		bio: 'Everyone on campus, linked to the first-year courses.',
		settings: '{"classroom_links":{"1":{"default_role":"student"},"2":{"default_role":"Teacher"},"12":{"default_role":"student"}},"theme":"dark","welcome_message":"Welcome to campus!"}',
		launchedDaysAgo: 540,
		deletedDaysAgo: null,
		createdBy: specialUsers.internal,
	},
	{
		slug: 'study-lab',
		name: 'Study Lab',
		bio: 'Study groups; some of its links were typed by hand.',
		settings:
			'{"classroom_links":[{"default_role":"assistant"},{"course_id":1,"default_role":"teacher"},{"course_id":3,"default_role":"FACILITATOR"},{"course_id":"abc","default_role":"member"},{"course_id":-3,"default_role":"member"},{"course_id":0,"default_role":"owner"}]}',
		launchedDaysAgo: 500,
		deletedDaysAgo: null,
		createdBy: specialUsers.internal,
	},
	{
		slug: 'instructors-lounge',
		name: 'Instructors Lounge',
		bio: 'Faculty coordination.',
		settings: '{"classroom_links":{"4":{"default_role":"owner"},"5":{"default_role":"weird"},"6":{},"abc":{"default_role":"member"},"-3":{"default_role":"admin"},"0":{"default_role":"member"}},"notifications":{"digest":"daily"}}',
		launchedDaysAgo: 450,
		deletedDaysAgo: null,
		createdBy: specialUsers.unchanged,
	},
	{slug: 'alumni-network', name: 'Alumni Network', bio: 'No classroom links.', settings: '{"theme":"light","pinned_post_id":null}', launchedDaysAgo: 400, deletedDaysAgo: null, createdBy: specialUsers.internal},
	{slug: 'local-chapter-berlin', name: 'Local Chapter Berlin', bio: 'Settings never saved.', settings: null, launchedDaysAgo: null, deletedDaysAgo: null, createdBy: specialUsers.internal},
	{
		slug: 'archived-cohort-2024',
		name: 'Archived Cohort 2024',
		bio: 'Soft-deleted; its links must be ignored.',
		settings: '{"classroom_links":[{"course_id":2,"default_role":"assistant"},{"course_id":6,"default_role":"Teacher"}]}',
		launchedDaysAgo: 700,
		deletedDaysAgo: 200,
		createdBy: specialUsers.internal,
	},
	{
		slug: 'peer-tutors',
		name: 'Peer Tutors',
		bio: 'Tutors and their cohorts.',
		settings: '{"classroom_links":[{"course_id":4,"default_role":"assistant"},{"course_id":7,"default_role":"teacher"}],"visibility":"private"}',
		launchedDaysAgo: 300,
		deletedDaysAgo: null,
		createdBy: specialUsers.manyCommunities,
	},
	{slug: 'broken-links', name: 'Broken Links', bio: 'Links present, none valid.', settings: '{"classroom_links":[{"course_id":"abc"},{"course_id":-3},{"course_id":0}]}', launchedDaysAgo: null, deletedDaysAgo: null, createdBy: specialUsers.internal},
	{slug: 'empty-links', name: 'Empty Links', bio: 'classroom_links is an empty object.', settings: '{"classroom_links":{}}', launchedDaysAgo: 100, deletedDaysAgo: null, createdBy: specialUsers.internal},
];

const adjectives = ['Applied', 'Creative', 'Data', 'Design', 'Global', 'Green', 'Open', 'Quantum', 'Remote', 'Urban', 'Visual', 'Young'];
const nouns = ['Builders', 'Circle', 'Collective', 'Crew', 'Forum', 'Guild', 'Hub', 'Lab', 'League', 'Makers', 'Network', 'Society'];
const roles = ['student', 'student', 'learner', 'participant', 'member', 'Teacher', 'instructor', 'FACILITATOR', 'assistant', 'moderator', 'admin', 'owner', 'weird', ''];

function bulkCommunity(id: number, layout: DemoLayout, seed: number): CommunityRow {
	const random = seededRandom(seed, `community:${id}`);
	const name = `${random.pick(adjectives)} ${random.pick(nouns)} ${id}`;
	const settings: Record<string, unknown> = {};
	if (random.chance(60)) {
		settings.visibility = random.pick(['public', 'private']);
	}

	const linkless = random.chance(12);
	if (!linkless) {
		const courses = new Set<number>();
		const wanted = 2 + random.int(5);
		while (courses.size < wanted) {
			courses.add(1 + random.int(layout.linkableCourses));
		}

		const entries = [...courses].map(courseId => ({courseId, role: random.pick(roles)}));
		const invalid = random.chance(20) ? random.pick(['abc', '-3', '0']) : undefined;
		if (random.chance(50)) {
			const links: Record<string, unknown> = {};
			for (const {courseId, role} of entries) {
				links[String(courseId)] = role === '' ? {} : {default_role: role};
			}

			if (invalid) {
				links[invalid] = {default_role: 'member'};
			}

			settings.classroom_links = links;
		} else {
			const links: unknown[] = entries.map(({courseId, role}) => (role === '' ? {course_id: courseId} : {course_id: courseId, default_role: role}));
			if (invalid) {
				links.push({course_id: invalid === 'abc' ? invalid : Number(invalid), default_role: 'member'});
			}

			settings.classroom_links = links;
		}
	}

	return {
		slug: name.toLowerCase().replaceAll(' ', '-'),
		name,
		bio: `${name}: a community of practice.`,
		settings: linkless && random.chance(50) ? null : JSON.stringify(settings),
		launchedDaysAgo: random.chance(80) ? 30 + random.int(600) : null,
		deletedDaysAgo: random.chance(10) ? 5 + random.int(100) : null,
		createdBy: specialUsers.internal,
	};
}

/** Inserts every community (hand-crafted, then bulk); returns the number inserted. */
export async function insertCommunities(sql: Sql, layout: DemoLayout, seed: number, clock: DemoClock, json: DemoJsonColumns): Promise<number> {
	const all = [...handCrafted];
	for (let id = specialCommunityCount + 1; id <= layout.size.communities; id++) {
		all.push(bulkCommunity(id, layout, seed));
	}

	const at = (daysAgo: number) => formatTimestamp(clock.reference - daysAgo * daySeconds);
	const rows: Value[][] = all.map((community, index) => {
		const created = at(720 - index * 3);
		const deleted = community.deletedDaysAgo === null ? null : at(community.deletedDaysAgo);
		const launched = community.launchedDaysAgo === null ? null : at(Math.min(community.launchedDaysAgo, 700 - index * 3));
		const visibility = visibilityOf(community.settings);
		return [
			index + 1,
			community.slug,
			community.name,
			community.bio,
			visibility,
			visibility === 'private' ? 'request' : 'open',
			community.createdBy,
			launched,
			json.text('communities.settings', index + 1, community.settings),
			created,
			deleted ?? created,
			deleted,
		];
	});
	await insertRows(
		sql,
		'communities',
		['id', 'slug', 'name', 'bio', 'visibility', 'join_policy', 'created_by', 'launched_at', 'settings', 'created_at', 'updated_at', 'deleted_at'],
		rows,
	);
	return rows.length;
}

/** The platform keeps visibility in its own column; the demo's settings carry a copy for some communities. */
function visibilityOf(settings: string | null): 'public' | 'private' {
	const value = settings === null ? undefined : (JSON.parse(settings) as {visibility?: unknown}).visibility;
	return value === 'private' ? 'private' : 'public';
}
