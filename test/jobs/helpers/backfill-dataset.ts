import {createHash} from 'node:crypto';
import type {Sql} from '../../../source/db/sql.js';
import {insertPlatformRows} from '../../helpers/platform-rows.js';

// A hand-built platform for backfill-membership (DESIGN.md §3.2). Every expectation below was worked out by hand
// from these rows; see the comments next to each enrollment.

export const A = 1_704_067_200; // 2024-01-01 00:00:00 UTC
export const B = 1_706_745_600; // 2024-02-01 00:00:00 UTC
export const C = 1_709_251_200; // 2024-03-01 00:00:00 UTC
export const old = '2020-01-01 00:00:00';

export const communities: Array<[number, string, string | null, string | null]> = [
	// alpha: object form; "abc" is an invalid link (warning). Links: 10 member, 11 admin.
	[1, 'alpha', '{"theme":"dark","classroom_links":{"10":{"default_role":"Student"},"11":{"default_role":"TEACHER"},"abc":{"default_role":"admin"}}}', null],
	// beta: list form; course_id 0 is invalid (warning). Links: 11 moderator, 12 member.
	[2, 'beta', '{"classroom_links":[{"course_id":11,"default_role":"Facilitator"},{"course_id":"12"},{"course_id":0}]}', null],
	// gamma: no links → communities_skipped.
	[3, 'gamma', '{"theme":"light"}', null],
	// delta: soft-deleted, links ignored.
	[4, 'delta', '{"classroom_links":{"10":{"default_role":"owner"}}}', '2025-01-01 00:00:00'],
	// epsilon: course 13 twice (course_id override and key) → the highest role, owner.
	[5, 'Epsilon Club', '{"classroom_links":{"first":{"course_id":13,"default_role":"assistant"},"13":{"default_role":"Owner"}}}', null],
];

// [id, user_id, course_id, entry_date, created_at]
export const enrollments: Array<[number, number | null, number, number | null, string | null]> = [
	[1, 1, 10, B, old], // alpha u1 (member)
	[2, 1, 10, A, old], // alpha u1 again (same user+course): earliest date A
	[3, 1, 11, C, old], // alpha u1 admin → create admin; beta u1 moderator → create
	[4, 2, 11, null, '2023-05-05 05:05:05'], // NULL entry_date → created_at; alpha u2 admin, beta u2 moderator → create
	[5, 3, 10, A, old], // alpha u3: active member joined 2023 → unchanged
	[6, 4, 11, B, old], // alpha u4: active member → updated (raised to admin); beta u4 → create moderator
	[7, 5, 10, A, old], // alpha u5: active owner joined 2025-06 → updated (joined moved to A, role kept)
	[8, 6, 10, B, old], // alpha u6: active admin joined 2020 → unchanged (never lowered)
	[9, 7, 12, A, old], // beta u7: left → reactivated, joined moved to A
	[10, 8, 12, B, old], // beta u8: pending moderator joined 2021 → reactivated, role and joined kept
	[11, 9, 12, C, old], // beta u9: soft-deleted, joined 2024-06 → reactivated, joined moved to C
	[12, 10, 12, A, old], // beta u10: banned → skipped
	[13, 10, 12, B, old], // beta u10 again → skipped
	[14, 11, 11, A, old], // alpha u11: banned + soft-deleted → skipped; beta u11 → create moderator
	[15, null, 10, A, old], // NULL user → skipped (alpha)
	[16, 0, 11, A, old], // user 0 → skipped twice (alpha, beta)
	[17, 99, 12, A, old], // orphan user → skipped (beta)
	[18, 12, 13, null, null], // epsilon u12: no dates → run start; owner → create
	[19, 12, 14, A, old], // course 14 is linked nowhere: not scanned
	[20, 3, 10, C, old], // alpha u3 again, later date: still unchanged
	[21, 2, 13, B, old], // epsilon u2 → create owner
];

// [id, community_id, user_id, role, status, joined_at, metadata, deleted_at]
export const members: Array<[number, number, number, string, string, string, string | null, string | null]> = [
	[1, 1, 3, 'member', 'active', '2023-01-01 00:00:00', null, null],
	[2, 1, 4, 'member', 'active', '2022-01-01 00:00:00', '{"source":"manual"}', null],
	[3, 1, 5, 'owner', 'active', '2025-06-01 00:00:00', null, null],
	[4, 1, 6, 'admin', 'active', '2020-01-01 00:00:00', '{"keep":true}', null],
	[5, 2, 7, 'member', 'left', '2025-01-01 00:00:00', null, null],
	[6, 2, 8, 'moderator', 'pending', '2021-01-01 00:00:00', null, null],
	[7, 2, 9, 'member', 'active', '2024-06-01 00:00:00', '{"note":"x","backfill":{"other":{"a":1}}}', '2025-03-03 03:03:03'],
	[8, 2, 10, 'member', 'banned', '2024-01-01 00:00:00', '{"b":1}', null],
	[9, 1, 11, 'member', 'banned', '2025-01-01 00:00:00', null, '2025-01-01 00:00:00'],
	[10, 3, 1, 'member', 'active', '2024-01-01 00:00:00', null, null],
];

export async function seedBackfillDataset(sql: Sql): Promise<void> {
	const users = Array.from({length: 12}, (_, index) => [index + 1, `User ${index + 1}`, `u${index + 1}@example.test`, old, old]);
	await insertPlatformRows(sql, 'users', ['id', 'name', 'email', 'created_at', 'updated_at'], users);
	await sql.run(`INSERT INTO courses (id, title) VALUES (10, 'Ten'), (11, 'Eleven'), (12, 'Twelve'), (13, 'Thirteen'), (14, 'Fourteen')`);
	await insertPlatformRows(
		sql,
		'communities',
		['id', 'slug', 'name', 'settings', 'created_at', 'updated_at', 'deleted_at'],
		communities.map(([id, slug, settings, deletedAt]) => [id, slug.toLowerCase().replace(/ /g, '-'), slug, settings, old, old, deletedAt]),
	);
	await sql.run(`INSERT INTO enrollments (id, user_id, course_id, entry_date, created_at, updated_at) VALUES ${enrollments.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`, enrollments.flatMap(row => [...row, row[4]]));
	await sql.run(
		`INSERT INTO community_members (id, community_id, user_id, role, status, joined_at, metadata, deleted_at, created_at, updated_at) VALUES ${members.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
		members.flatMap(row => [...row, old, old]),
	);
}

export function sha1(text: string): string {
	return createHash('sha1').update(text).digest('hex');
}

export type MemberRow = {id: number; community_id: number; user_id: number; role: string; status: string; joined_at: string; metadata: string | null; created_at: string | null; updated_at: string | null; deleted_at: string | null; points: number};

export async function memberRows(sql: Sql): Promise<MemberRow[]> {
	const rows = await sql.all<Record<string, unknown>>('SELECT id, community_id, user_id, role, status, joined_at, metadata, created_at, updated_at, deleted_at, points FROM community_members ORDER BY community_id, user_id');
	return rows.map(row => ({
		id: Number(row.id),
		community_id: Number(row.community_id),
		user_id: Number(row.user_id),
		role: String(row.role),
		status: String(row.status),
		joined_at: String(row.joined_at),
		metadata: row.metadata === null ? null : String(row.metadata),
		created_at: row.created_at === null ? null : String(row.created_at),
		updated_at: row.updated_at === null ? null : String(row.updated_at),
		deleted_at: row.deleted_at === null ? null : String(row.deleted_at),
		points: Number(row.points),
	}));
}

/** Member rows with the run id (and nothing else) masked, for comparing runs. */
export function maskRunIds(rows: MemberRow[]): MemberRow[] {
	return rows.map(row => ({...row, metadata: row.metadata?.replace(/"run_id":"[^"]*"/g, '"run_id":"R"') ?? null}));
}
