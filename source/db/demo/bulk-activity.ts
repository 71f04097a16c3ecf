import type {Sql} from '../sql.js';
import type {DemoLayout} from './cast.js';
import type {DemoClock} from './sizes.js';
import type {Expressions} from './expressions.js';
import {type DemoJsonColumns, jsonVariants} from './json-columns.js';
import {insertInChunks, type Range, rowSource} from './row-source.js';

// Bulk posts, comments and certificates, set-based like bulk-people.ts. 40 % of posts and certificates fall in the
// recent window (the 88 days before today), the rest over the two-year history; comments follow their post.

const topics = ['Weekly check-in', 'Study tips', 'Project showcase', 'Question about the exam', 'Meet-up this Friday', 'Reading list', 'Office hours moved', 'Career advice', 'Lab results', 'Welcome thread'];


/**
 * 2 % orphan authors (ids not in users), 0.5 % author 0, the rest bulk users. author_id is NOT NULL with a foreign
 * key to users: such rows exist only where a dump was restored with FOREIGN_KEY_CHECKS=0, which is how the demo
 * loads (generate-demo.ts). The 1 % NULL authors of the older schema cannot exist at all; they are orphans now.
 */
function author(layout: DemoLayout, h: string, pick: string): string {
	return `CASE WHEN ${h} % 1000 < 20 THEN ${layout.orphanUserBase + 600} + ${h} % 400 WHEN ${h} % 1000 < 25 THEN 0
		ELSE ${layout.firstBulkUser} + ${pick} % ${layout.bulkUsers} END`;
}

/** Posts; 60 % carry metadata (the client that wrote them), 25 % a lifecycle: a few variants each, see bulk-people.ts. */
export async function insertBulkPosts(sql: Sql, layout: DemoLayout, x: Expressions, firstId: number, json: DemoJsonColumns): Promise<void> {
	const time = x.activityTime('h6', 'h7', 40);
	const metadata = x.weighted('s.h6 + s.h7', jsonVariants(x, json, 'community_posts.metadata', [
		[40, null],
		[70, '{"client":"web"}'],
		[90, '{"client":"ios","app_version":"4.2.0"}'],
		[100, '{"client":"android","app_version":"4.1.3"}'],
	]));
	const lifecycle = x.weighted('s.h2 + s.h5', jsonVariants(x, json, 'community_posts.lifecycle', [
		[75, null],
		[95, '{"state":"published"}'],
		[100, '{"state":"published","reviewed_by":1}'],
	]));
	const source = (range: Range) => rowSource(x, range, {h1: 51, h2: 52, h3: 53, h4: 54, h5: 55, h6: 56, h7: 57}, {t: time, created: x.timestamp(time)});
	await insertInChunks(sql, layout.size.posts - firstId + 1, range =>
		`INSERT INTO community_posts (id, community_id, author_id, type, body_md, visibility, published_at, metadata, lifecycle, created_at, updated_at, deleted_at)
		SELECT s.n + ${firstId}, 1 + s.h1 % ${layout.size.communities}, ${author(layout, 's.h2', 's.h1')},
			${x.weighted('s.h3', [[55, `'text'`], [75, `'image'`], [87, `'link'`], [95, `'video'`], [100, `'poll'`]])},
			${x.concat(`'## '`, x.pick('s.h5', topics), `' #'`, `s.n + ${firstId}`, `': post body.'`)},
			${x.weighted('s.h4', [[70, `'community'`], [95, `'public'`], [100, `'paid'`]])},
			CASE WHEN s.h5 % 100 < 6 THEN NULL ELSE ${x.timestamp('s.t + s.h5 % 7200')} END,
			${metadata}, ${lifecycle},
			s.created, ${x.timestamp('s.t + s.h4 % 3600')},
			CASE WHEN s.h4 % 100 >= 96 THEN ${x.timestamp('s.t + 7200 + s.h3 % 3600')} END
		FROM ${source(range)}`,
	);
}

/** Each comment lands on an existing post (any post, hand-crafted ones included), in that post's community, after it. */
export async function insertBulkComments(sql: Sql, layout: DemoLayout, x: Expressions, clock: DemoClock, firstId: number): Promise<void> {
	const source = (range: Range) => rowSource(x, range, {h1: 61, h2: 62, h3: 63, h4: 64}, {post: `1 + h4 % ${layout.size.posts}`});
	const postTime = x.unixOf('p.created_at');
	const candidate = `(${postTime} + 60 + s.h2 % 432000)`;
	const time = `(CASE WHEN ${candidate} >= ${clock.latest} THEN ${x.idiv(`${postTime} + ${clock.latest}`, 2)} ELSE ${candidate} END)`;
	await insertInChunks(sql, layout.size.comments - firstId + 1, range =>
		`INSERT INTO community_post_comments (id, community_id, post_id, author_id, body_md, created_at, updated_at, deleted_at)
		SELECT c.id, c.community_id, c.post_id, c.author_id, c.body_md, ${x.timestamp('c.t')}, ${x.timestamp('c.t')}, CASE WHEN c.deleted = 1 THEN ${x.timestamp('c.t + 600')} END
		FROM (SELECT s.n + ${firstId} AS id, p.community_id, p.id AS post_id, ${author(layout, 's.h3', 's.h1')} AS author_id, ${x.concat(`'Comment '`, `s.n + ${firstId}`)} AS body_md,
			${time} AS t, CASE WHEN s.h3 % 100 >= 95 THEN 1 ELSE 0 END AS deleted
			FROM ${source(range)} JOIN community_posts p ON p.id = s.post${x.keepSubquery}) c`,
	);
}

/** Certificates copy the user and course of a random enrollment: linked and unlinked courses, NULL and orphan users. */
export async function insertBulkCertificates(sql: Sql, layout: DemoLayout, x: Expressions, firstId: number): Promise<void> {
	const id = `s.n + ${firstId}`;
	const source = (range: Range) => rowSource(x, range, {h1: 71, h2: 72, h3: 73, h4: 74}, {enrollment: `1 + h1 % ${layout.size.enrollments}`, created: x.timestamp(x.activityTime('h3', 'h4', 40))});
	await insertInChunks(sql, layout.size.certificates - firstId + 1, range =>
		`INSERT INTO certificates (id, user_id, course_id, identifier, created_at, updated_at)
		SELECT ${id}, e.user_id, e.course_id, ${x.concat(`'CERT-'`, x.lpad(id, 8), `'-'`, x.lpad('s.h2 % 10000', 4))}, s.created, s.created
		FROM ${source(range)}
		JOIN enrollments e ON e.id = s.enrollment`,
	);
}
