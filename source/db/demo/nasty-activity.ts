import type {Sql} from '../sql.js';
import {type DemoLayout, specialCommunities as c, specialUsers as u} from './cast.js';
import {formatTimestamp, insertRows} from './insert-rows.js';
import type {DemoJsonColumns} from './json-columns.js';
import {type DemoClock, daySeconds} from './sizes.js';

// Hand-crafted posts, comments and certificates: every case migrate-legacy-activity must handle (DESIGN.md §3.3).
// "recent" rows sit in the days before today (inside the default --since="-90 days"), "old" ones months before
// the reference date. Posts and comments by authors missing from users (orphans, author 0) break their foreign keys:
// they exist where a dump was restored with FOREIGN_KEY_CHECKS=0, as the demo is loaded (generate-demo.ts). A NULL
// author cannot exist (author_id is NOT NULL); the rows that had one now have an orphan author.

export type NastyActivityCounts = {posts: number; comments: number; certificates: number};

export async function insertNastyActivity(sql: Sql, layout: DemoLayout, clock: DemoClock, json: DemoJsonColumns): Promise<NastyActivityCounts> {
	const recent = (days: number, hour = 12) => formatTimestamp(clock.recentEnd - days * daySeconds + hour * 3600);
	const old = (days: number, hour = 12) => formatTimestamp(clock.reference - days * daySeconds + hour * 3600);
	const orphan = layout.orphanUserBase;

	// [community, author, type, visibility, published_at, created_at, deleted_at]
	const posts: Array<[number, number, string, string, string | null, string, string | null]> = [
		[c.campusGeneral, u.internal, 'text', 'community', recent(2, 13), recent(2), null], // 1: the internal user's newest post
		[c.studyLab, u.multiCourse, 'image', 'public', null, recent(5), null], // 2: published_at NULL → occurred_at = created_at
		[c.campusGeneral, orphan + 6, 'link', 'community', recent(10, 13), recent(10), null], // 3: orphan author (was NULL) → skipped
		[c.campusGeneral, orphan + 3, 'video', 'paid', recent(12, 13), recent(12), null], // 4: orphan author → skipped
		[c.campusGeneral, u.lowerRole, 'text', 'community', recent(20, 13), recent(20), recent(1)], // 5: soft-deleted
		[c.instructorsLounge, u.internal, 'poll', 'public', old(200, 13), old(200), null], // 6: older than 90 days
		[c.archivedCohort, u.left, 'text', 'community', recent(15, 13), recent(15), null], // 7: in a soft-deleted community
		[c.studyLab, 0, 'text', 'community', recent(30, 13), recent(30), null], // 8: author 0 → skipped
		[c.campusGeneral, u.internal, 'text', 'community', null, old(300), null], // 9: old, never published
		[c.peerTutors, u.unchanged, 'link', 'public', recent(1), recent(3), null], // 10: published two days after writing
		[c.alumniNetwork, u.internal, 'image', 'community', recent(40, 13), recent(40), null], // 11: community without links
	];
	// The platform's own bookkeeping of a few posts (post ids): how they were written, and their lifecycle.
	const metadata: Readonly<Record<number, string>> = {
		1: '{"client":"web","word_count":5}',
		6: '{"poll":{"options":["Yes","No","Maybe"],"multiple":false}}',
		9: '{"client":"import","legacy_id":"wp-3187"}',
		10: '{"client":"web","link":{"url":"https://example.test/tutoring/slots","title":"Tutoring slots"}}',
	};
	const lifecycle: Readonly<Record<number, string>> = {1: '{"state":"published"}', 2: '{}', 5: '{"state":"deleted","deleted_by":4}', 9: '{"state":"draft"}'};
	await insertRows(
		sql,
		'community_posts',
		['id', 'community_id', 'author_id', 'type', 'body_md', 'visibility', 'published_at', 'metadata', 'lifecycle', 'created_at', 'updated_at', 'deleted_at'],
		posts.map(([communityId, authorId, type, visibility, published, created, deleted], index) => [
			index + 1,
			communityId,
			authorId,
			type,
			`## Demo post ${index + 1}\n\nHand-crafted demo post.`,
			visibility,
			published,
			json.text('community_posts.metadata', index + 1, metadata[index + 1] ?? null),
			json.text('community_posts.lifecycle', index + 1, lifecycle[index + 1] ?? null),
			created,
			deleted ?? published ?? created,
			deleted,
		]),
	);

	// [post, community, author, created_at, deleted_at]
	const comments: Array<[number, number, number, string, string | null]> = [
		[1, c.campusGeneral, u.duplicateEnrollment, recent(1), null],
		[1, c.campusGeneral, orphan + 7, recent(2, 15), null], // orphan author (was NULL) → skipped
		[1, c.campusGeneral, orphan + 4, recent(2, 16), null], // orphan author → skipped
		[1, c.campusGeneral, u.internal, recent(1, 18), recent(1, 19)], // soft-deleted
		[6, c.instructorsLounge, u.internal, old(190), null], // older than 90 days
		[5, c.campusGeneral, u.multiCourse, recent(19), null], // on a soft-deleted post
		[2, c.studyLab, 0, recent(4), null], // author 0 → skipped
		[10, c.peerTutors, u.internal, recent(1, 20), null],
		[7, c.archivedCohort, u.pending, recent(14), null], // in a soft-deleted community
	];
	await insertRows(
		sql,
		'community_post_comments',
		['id', 'community_id', 'post_id', 'author_id', 'body_md', 'created_at', 'updated_at', 'deleted_at'],
		comments.map(([postId, communityId, authorId, created, deleted], index) => [index + 1, communityId, postId, authorId, `Demo comment ${index + 1}`, created, deleted ?? created, deleted]),
	);

	// [user, course, created_at]
	const certificates: Array<[number | null, number | null, string]> = [
		[u.internal, 1, recent(7)], // course 1: communities 1 and 2 → two activity rows
		[u.internal, 2, old(250)], // older than 90 days
		[u.duplicateEnrollment, 4, recent(20)], // communities 3 and 7
		[u.unlinkedOnly, layout.unlinkedCourse, recent(8)], // no link → one row with community NULL
		[null, 1, recent(9)], // NULL user: not a source row
		[orphan + 5, 2, recent(11)], // orphan user → skipped
		[0, 3, recent(13)], // user 0 → skipped
		[u.deletedCommunityOnly, 6, recent(14)], // community 3 only (6 is soft-deleted)
		[u.manyCommunities, null, recent(16)], // NULL course → one row with community NULL
	];
	await insertRows(
		sql,
		'certificates',
		['id', 'user_id', 'course_id', 'identifier', 'created_at', 'updated_at'],
		certificates.map(([userId, courseId, created], index) => [index + 1, userId, courseId, `DEMO-${String(index + 1).padStart(4, '0')}`, created, created]),
	);

	return {posts: posts.length, comments: comments.length, certificates: certificates.length};
}
