import type {Sql} from '../../db/sql.js';
import {instantOf, wallClock} from '../../core/app-time-zone.js';
import {readJsonColumn} from '../../core/laravel-crypt.js';
import type {AppKeys} from '../../core/laravel-encrypter.js';
import {roleOfPriority} from '../classroom-links.js';
import {type Difference, placeholders, type Row, timestamp} from './differences.js';
import {type BackfillScope, priorityOf} from './scope.js';

// Memberships of sampled users after the backfill (DESIGN.md §3.2): every (community, user) pair of a linked
// enrollment has an active, non-deleted row (banned rows are never touched) whose role is at least the pair's
// highest link role and whose joined_at is no later than its earliest enrollment date.

type ExpectedMember = {community_id: number; user_id: number; priority: number; joined_at: string};

/** What every (community, user) pair of the slice must look like after the backfill (DESIGN.md §3.2). */
async function expectedMembers(sql: Sql, users: readonly number[], scope: BackfillScope): Promise<Map<string, ExpectedMember>> {
	const courses = [...scope.byCourse.keys()];
	const expected = new Map<string, ExpectedMember>();
	if (courses.length === 0) {
		return expected;
	}

	const bound = scope.enrollmentsBound === null ? '' : ' AND id <= ?';
	const rows = await sql.all<Row>(
		`SELECT id, user_id, course_id, entry_date, created_at FROM enrollments WHERE user_id IN (${placeholders(users.length)}) AND course_id IN (${placeholders(courses.length)})${bound}`,
		[...users, ...courses, ...(scope.enrollmentsBound === null ? [] : [scope.enrollmentsBound])],
	);
	for (const row of rows) {
		const userId = Number(row.user_id);
		const date = entryDate(row.entry_date, scope.platform.timeZone.zone) ?? timestamp(row.created_at) ?? scope.fallbackJoinedAt;
		for (const link of scope.byCourse.get(Number(row.course_id)) ?? []) {
			const key = `${link.communityId}:${userId}`;
			const known = expected.get(key);
			const priority = priorityOf(link.role);
			expected.set(key, {
				community_id: link.communityId,
				user_id: userId,
				priority: Math.max(priority, known?.priority ?? 0),
				joined_at: known && known.joined_at < date ? known.joined_at : date,
			});
		}
	}

	return expected;
}

/**
 * enrollments.entry_date on the platform's clock (DESIGN.md §2): unix seconds (> 0) are an instant; a datetime string
 * (seen on SQLite) is a wall clock already; anything else counts as missing.
 */
function entryDate(value: unknown, zone: string): string | null {
	if (typeof value === 'number' || (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value))) {
		return Number(value) > 0 ? wallClock(new Date(Math.trunc(Number(value)) * 1000), zone) : null;
	}

	if (typeof value === 'string' && value.trim() !== '') {
		try {
			return wallClock(instantOf(value.trim(), zone), zone);
		} catch {
			return null;
		}
	}

	return null;
}

function backfillRunOf(metadata: unknown, keys: AppKeys): string | null {
	try {
		const parsed = readJsonColumn(metadata === null || metadata === undefined ? null : String(metadata), keys).value as {backfill?: {classrooms?: {run_id?: unknown}}};
		const runId = parsed.backfill?.classrooms?.run_id;
		return typeof runId === 'string' ? runId : null;
	} catch {
		return null;
	}
}

export async function reconcileMembers(sql: Sql, users: readonly number[], scope: BackfillScope, backfillRunId: string, differences: Difference[]): Promise<number> {
	const expected = await expectedMembers(sql, users, scope);
	const rows = await sql.all<Row>(`SELECT community_id, user_id, role, status, joined_at, deleted_at, metadata FROM community_members WHERE user_id IN (${placeholders(users.length)})`, users);
	const found = new Map(rows.map(row => [`${Number(row.community_id)}:${Number(row.user_id)}`, row]));
	for (const [key, member] of expected) {
		const row = found.get(key);
		const want = {role: roleOfPriority(member.priority), status: 'active', joined_at: member.joined_at};
		const add = (kind: string, expectedValue: unknown, foundValue: unknown) => differences.push({user_id: member.user_id, community_id: member.community_id, kind, expected: expectedValue, found: foundValue});
		if (!row) {
			add('member_missing', want, null);
			continue;
		}

		if (row.status === 'banned') {
			continue; // Banned members are never touched (§3.2).
		}

		if (row.deleted_at !== null && row.deleted_at !== undefined) {
			add('member_deleted', {deleted_at: null}, {deleted_at: timestamp(row.deleted_at)});
		}

		if (row.status !== 'active') {
			add('member_status', 'active', row.status);
		}

		if (priorityOf(row.role) < member.priority) {
			add('member_role_lower', `${want.role} or higher`, row.role);
		}

		const joined = timestamp(row.joined_at);
		if (joined === null || joined > member.joined_at) {
			add('member_joined_later', `${member.joined_at} or earlier`, joined);
		}
	}

	for (const [key, row] of found) {
		if (!expected.has(key) && backfillRunOf(row.metadata, scope.platform.keys) === backfillRunId) {
			differences.push({user_id: Number(row.user_id), community_id: Number(row.community_id), kind: 'member_unexpected', expected: null, found: {role: row.role, status: row.status}});
		}
	}

	return expected.size;
}

