import type {Sql} from '../../../source/db/sql.js';
import {insertPlatformRows, withoutForeignKeyChecks} from '../../helpers/platform-rows.js';

// A small platform for verify (DESIGN.md §7), worked out by hand:
// - community 1 alpha links course 10 (student → member) and 11 (teacher → admin); 2 beta links course 12
//   (facilitator → moderator) as a list; 3 gone (soft-deleted) links course 10.
// - backfill pairs: (1,1) admin joined 2023-11-14 22:13:20 (entry_date 1700000000 < created 2024-01-05);
//   (2,2) moderator 2024-03-09 16:00:00; (1,3) member, joined = enrollment created_at 2024-02-01 00:00:00;
//   (1,4) banned, untouched; (2,6) left → reactivated as moderator, joined stays 2020-01-01.
//   Enrollments 7 (user NULL) and 8 (user 99 unknown) are skipped.
// - legacy activity: post 1 (user 1, alpha), post 2 (user 5, beta, created_at only), post 3 deleted, post 4 user 99;
//   comment 1 (user 2 on post 1); certificate 1 (user 1, course 10 → alpha only: gone is deleted);
//   certificate 2 (user 2, course 99 → global).
export async function seedVerifyDataset(sql: Sql): Promise<void> {
	const at = '2025-01-01 00:00:00';
	const names = ['Ann', 'Ben', 'Cat', 'Dan', 'Eve', 'Fay', 'Gus'];
	await insertPlatformRows(sql, 'users', ['id', 'name', 'email', 'role', 'created_at', 'updated_at'], names.map((name, index) => [index + 1, name, `${name.toLowerCase()}@example.test`, 'student', at, at]));
	await sql.run(`INSERT INTO courses (id, title, created_at, updated_at) VALUES (10, 'Intro', '${at}', '${at}'), (11, 'Teaching', '${at}', '${at}'), (12, 'Peer Study', '${at}', '${at}')`);
	await sql.run(`INSERT INTO communities (id, slug, name, settings, launched_at, created_by, created_at, updated_at, deleted_at) VALUES
		(1, 'alpha', 'Alpha', '{"classroom_links":{"10":{"default_role":"student"},"11":{"default_role":"Teacher"}}}', NULL, 1, '${at}', '${at}', NULL),
		(2, 'beta', 'Beta', '{"classroom_links":[{"course_id":12,"default_role":"facilitator"}]}', NULL, 1, '${at}', '${at}', NULL),
		(3, 'gone', 'Gone', '{"classroom_links":{"10":{}}}', NULL, 1, '${at}', '${at}', '2025-06-01 00:00:00')`);
	await sql.run(`INSERT INTO enrollments (id, user_id, course_id, entry_date, created_at, updated_at) VALUES
		(1, 1, 10, 1700000000, '2024-01-05 00:00:00', '${at}'), (2, 1, 11, NULL, '2024-01-05 00:00:00', '${at}'),
		(3, 2, 12, 1710000000, '2024-03-09 00:00:00', '${at}'), (4, 3, 10, NULL, '2024-02-01 00:00:00', '${at}'),
		(5, 4, 10, 1700000000, '${at}', '${at}'), (6, 6, 12, 1710000000, '${at}', '${at}'),
		(7, NULL, 10, 1700000000, '${at}', '${at}'), (8, 99, 10, 1700000000, '${at}', '${at}')`);
	await sql.run(`INSERT INTO community_members (id, community_id, user_id, role, status, joined_at, metadata, created_at, updated_at, deleted_at) VALUES
		(1, 1, 4, 'member', 'banned', '2021-01-01 00:00:00', NULL, '${at}', '${at}', NULL),
		(2, 2, 6, 'member', 'left', '2020-01-01 00:00:00', '{"source":"import"}', '${at}', '${at}', NULL)`);
	// Post 4's author (99) is not in users: the foreign key forbids it, a dump restored without the checks holds it.
	await withoutForeignKeyChecks(sql, async tx => tx.run(`INSERT INTO community_posts (id, community_id, author_id, type, visibility, published_at, created_at, updated_at, deleted_at) VALUES
		(1, 1, 1, 'text', 'community', '2026-10-01 10:00:00', '2026-10-01 09:00:00', '${at}', NULL),
		(2, 2, 5, 'link', 'public', NULL, '2026-10-02 08:00:00', '${at}', NULL),
		(3, 1, 1, 'text', 'community', '2026-10-01 11:00:00', '2026-10-01 11:00:00', '${at}', '2026-10-05 00:00:00'),
		(4, 1, 99, 'text', 'community', '2026-10-01 12:00:00', '2026-10-01 12:00:00', '${at}', NULL)`));
	await insertPlatformRows(sql, 'community_post_comments', ['id', 'community_id', 'post_id', 'author_id', 'created_at', 'updated_at', 'deleted_at'], [[1, 1, 1, 2, '2026-10-03 07:00:00', at, null]]);
	await sql.run(`INSERT INTO certificates (id, user_id, course_id, identifier, created_at, updated_at) VALUES (1, 1, 10, 'CERT-1', '2026-10-04 06:00:00', '${at}'), (2, 2, 99, 'CERT-2', '2026-10-04 07:00:00', '${at}')`);
}
