import {createHash} from 'node:crypto';
import {createPlatformSchema} from '../../source/db/platform-schema.js';
import type {Sql} from '../../source/db/sql.js';
import {insertRows} from '../../source/db/bulk-insert.js';
import {insertPlatformRows, withoutForeignKeyChecks} from '../helpers/platform-rows.js';
import {prng} from './helpers.js';

// A deterministic dataset of a few thousand rows for the crash trials: fast to build, with every state the jobs
// distinguish — members active / left / pending / banned / soft-deleted (with their own metadata), enrollments with
// NULL or unknown users and NULL dates, duplicate enrollments, soft-deleted posts and comments, certificates with
// and without a linked course, and existing activities the migration leaves alone or updates.

export type DatasetSize = {readonly users: number; readonly enrollments: number; readonly posts: number; readonly comments: number; readonly certificates: number};

export const killTrialSize: DatasetSize = {users: 700, enrollments: 3000, posts: 900, comments: 1200, certificates: 300};

const base = Date.UTC(2025, 0, 1) / 1000;

function stamp(seconds: number): string {
	return new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

function sha1(text: string): string {
	return createHash('sha1').update(text).digest('hex');
}

/** Creates the platform tables (if missing) and fills them; the same seed gives the same rows on both dialects. */
export async function buildDataset(sql: Sql, size: DatasetSize = killTrialSize, seed = 7): Promise<void> {
	const random = prng(seed);
	const int = (below: number) => Math.floor(random() * below);
	await createPlatformSchema(sql);
	// Posts and comments by a user missing from users break their foreign key: loaded with the checks off.
	await withoutForeignKeyChecks(sql, async unchecked => unchecked.transaction(async tx => {
		await insertPlatformRows(
			tx,
			'users',
			['id', 'name', 'email', 'role', 'created_at', 'updated_at'],
			Array.from({length: size.users}, (_, index) => [index + 1, `User ${index + 1}`, `user${index + 1}@example.test`, index < 5 ? 'admin' : 'student', stamp(base + index * 60), stamp(base + index * 60)]),
		);
		await insertRows(
			tx,
			'courses',
			['id', 'title', 'created_at', 'updated_at'],
			Array.from({length: 12}, (_, index) => [index + 1, `Course ${index + 1}`, stamp(base), stamp(base)]),
		);
		const communities: unknown[][] = [
			[1, 'alpha', 'Alpha', '{"classroom_links":{"1":{"default_role":"student"},"2":{"default_role":"teacher"}},"theme":"dark"}', null, null],
			[2, 'beta', 'Beta', '{"classroom_links":[{"course_id":3,"default_role":"assistant"},{"course_id":4},{"course_id":"x"}]}', stamp(base), null],
			[3, 'gamma', 'Gamma', '{"classroom_links":{"5":{"default_role":"owner"},"6":{"default_role":"weird"},"1":{}}}', null, null],
			[4, 'delta', 'Delta', '{"classroom_links":[{"course_id":7,"default_role":"Instructor"},{"course_id":8,"default_role":"learner"}]}', null, null],
			[5, 'gone', 'Gone', '{"classroom_links":{"9":{"default_role":"member"}}}', null, stamp(base + 86_400)],
			[6, 'plain', 'Plain', '{"theme":"light"}', null, null],
		];
		await insertRows(
			tx,
			'communities',
			['id', 'slug', 'name', 'settings', 'launched_at', 'created_by', 'created_at', 'updated_at', 'deleted_at'],
			communities.map(([id, slug, name, settings, launched, deleted]) => [id, slug, name, settings, launched, 1, stamp(base), stamp(base), deleted]),
		);
		const enrollments: unknown[][] = [];
		for (let id = 1; id <= size.enrollments; id++) {
			const roll = int(100);
			const user = roll < 2 ? null : roll < 3 ? 0 : roll < 4 ? size.users + 500 : 1 + int(size.users);
			const course = roll < 6 ? null : 1 + int(12);
			const entry = roll % 9 === 0 ? null : base + int(400) * 86_400;
			const created = roll % 17 === 0 ? null : stamp(base + int(500) * 86_400);
			enrollments.push([id, user, course, entry, created, created]);
		}

		await insertRows(tx, 'enrollments', ['id', 'user_id', 'course_id', 'entry_date', 'created_at', 'updated_at'], enrollments);
		// Existing members: every status, soft-deleted ones, metadata of their own, some with a higher role already.
		const statuses = ['active', 'left', 'pending', 'banned', 'active', 'active'] as const;
		const roles = ['member', 'moderator', 'admin', 'owner'] as const;
		const members: unknown[][] = [];
		const seen = new Set<string>();
		for (let index = 0; members.length < Math.floor(size.users / 3); index++) {
			const community = 1 + (index % 5);
			const user = 1 + int(size.users);
			const key = `${community}:${user}`;
			if (seen.has(key)) {
				continue;
			}

			seen.add(key);
			const deleted = int(7) === 0 ? stamp(base + 200 * 86_400) : null;
			const metadata = int(3) === 0 ? null : int(2) === 0 ? '{"source":"import","tags":["a","b"]}' : `{"note":"kept ${index}"}`;
			members.push([members.length + 1, community, user, roles[int(4)], statuses[int(statuses.length)], stamp(base + int(600) * 86_400), metadata, stamp(base), stamp(base + 3600), deleted]);
		}

		await insertRows(tx, 'community_members', ['id', 'community_id', 'user_id', 'role', 'status', 'joined_at', 'metadata', 'created_at', 'updated_at', 'deleted_at'], members);
		const types = ['text', 'image', 'video', 'link', 'poll'] as const;
		const visibility = ['community', 'public', 'paid'] as const;
		// author_id is NOT NULL with a foreign key to users: the 3 % that had a NULL author are by a user missing from
		// users now (size.users + 500, skipped alike), inserted with the checks off as a dump restored without them holds it.
		const orphan = size.users + 500;
		const posts: unknown[][] = [];
		for (let id = 1; id <= size.posts; id++) {
			const roll = int(100);
			const created = stamp(base + int(600) * 86_400);
			posts.push([id, 1 + int(6), roll < 3 ? orphan : 1 + int(size.users), types[int(5)], visibility[int(3)], roll % 4 === 0 ? null : created, created, created, roll % 23 === 0 ? created : null]);
		}

		await insertRows(tx, 'community_posts', ['id', 'community_id', 'author_id', 'type', 'visibility', 'published_at', 'created_at', 'updated_at', 'deleted_at'], posts);
		const comments: unknown[][] = [];
		for (let id = 1; id <= size.comments; id++) {
			const roll = int(100);
			const created = stamp(base + int(600) * 86_400);
			comments.push([id, 1 + int(6), 1 + int(size.posts), roll < 3 ? orphan : 1 + int(size.users), created, created, roll % 19 === 0 ? created : null]);
		}

		await insertPlatformRows(tx, 'community_post_comments', ['id', 'community_id', 'post_id', 'author_id', 'created_at', 'updated_at', 'deleted_at'], comments);
		const certificates: unknown[][] = [];
		for (let id = 1; id <= size.certificates; id++) {
			const roll = int(100);
			const created = stamp(base + int(600) * 86_400);
			certificates.push([id, roll < 4 ? null : 1 + int(size.users), roll < 6 ? null : 1 + int(12), `CERT-${seed}-${id}`, created, created]);
		}

		await insertRows(tx, 'certificates', ['id', 'user_id', 'course_id', 'identifier', 'created_at', 'updated_at'], certificates);
		// Activities the platform already wrote: unrelated ones, and ones with a migration key but other content.
		const activities: unknown[][] = [];
		// 7 is coprime with every post count used, so the posts (and keys) are distinct.
		for (let index = 1; index <= Math.min(60, posts.length - 1); index++) {
			const post = posts[(index * 7) % posts.length]!;
			const key = index % 2 === 0 ? sha1(`profile:community_post:${String(post[0])}:${String(post[1])}`) : sha1(`platform:${index}`);
			activities.push([index, 1 + int(size.users), post[1], 'community_post.published', 'community_post', post[0], key, stamp(base + index * 3600), '{"type":"text","old":true}', stamp(base), stamp(base)]);
		}

		await insertRows(tx, 'profile_activities', ['id', 'user_id', 'community_id', 'activity_type', 'subject_type', 'subject_id', 'idempotency_key', 'occurred_at', 'context', 'created_at', 'updated_at'], activities);
	}));
}
