import {canonicalJson, sha1} from '../../engine/canonical-json.js';
import type {Sql} from '../../db/sql.js';
import {formatTimestamp} from '../../engine/timestamps.js';
import {roleOfPriority} from '../classroom-links.js';
import {type LegacySourceSql, legacySources} from './legacy-sources.js';
import type {RunsToVerify} from './runs.js';
import {type BackfillScope, type MigrationScope, priorityOf} from './scope.js';

// Step 3 of DESIGN.md §7: for sampled users, recompute from the source tables what the runs had to leave behind, and
// compare with what exists. Set-based per slice of users (a handful of queries per 500 users, never one per row).

export type Difference = {
	readonly user_id: number;
	readonly community_id: number | null;
	readonly kind: string;
	readonly expected: unknown;
	readonly found: unknown;
};

type Row = Record<string, unknown>;
const usersPerSlice = 500;
const keysPerQuery = 1000;

/** 'YYYY-MM-DD HH:MM:SS' for the spellings both dialects return; null stays null. */
function timestamp(value: unknown): string | null {
	if (value === null || value === undefined || value === '') {
		return null;
	}

	const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})/.exec(String(value));
	return match ? `${match[1]} ${match[2]}` : String(value);
}

const placeholders = (count: number) => Array.from({length: count}, () => '?').join(', ');

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
		const date = row.entry_date !== null && row.entry_date !== undefined ? formatTimestamp(new Date(Number(row.entry_date) * 1000)) : (timestamp(row.created_at) ?? scope.fallbackJoinedAt);
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

function backfillRunOf(metadata: unknown): string | null {
	try {
		const parsed = JSON.parse(String(metadata ?? 'null')) as {backfill?: {classrooms?: {run_id?: unknown}}} | null;
		const runId = parsed?.backfill?.classrooms?.run_id;
		return typeof runId === 'string' ? runId : null;
	} catch {
		return null;
	}
}

async function reconcileMembers(sql: Sql, users: readonly number[], scope: BackfillScope, backfillRunId: string, differences: Difference[]): Promise<number> {
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
		if (!expected.has(key) && backfillRunOf(row.metadata) === backfillRunId) {
			differences.push({user_id: Number(row.user_id), community_id: Number(row.community_id), kind: 'member_unexpected', expected: null, found: {role: row.role, status: row.status}});
		}
	}

	return expected.size;
}

type ExpectedActivity = {
	readonly key: string;
	readonly user_id: number;
	readonly community_id: number | null;
	readonly activity_type: string;
	readonly subject_type: string;
	readonly subject_id: number;
	readonly occurred_at: string;
	readonly context: Record<string, unknown>;
};

function activitiesOf(source: LegacySourceSql, row: Row, scope: MigrationScope): ExpectedActivity[] {
	const id = Number(row.id);
	const base = {user_id: Number(row.user_id), activity_type: source.activityType, subject_type: source.subjectType, subject_id: id, occurred_at: timestamp(row.occurred_at)!};
	if (source.kind === 'posts') {
		const communityId = Number(row.community_id);
		return [{...base, key: sha1(`profile:community_post:${id}:${communityId}`), community_id: communityId, context: {type: row.type, visibility: row.visibility}}];
	}

	if (source.kind === 'comments') {
		const communityId = Number(row.community_id);
		return [{...base, key: sha1(`profile:community_comment:${id}:${communityId}`), community_id: communityId, context: {post_id: row.post_id === null ? null : Number(row.post_id)}}];
	}

	const courseId = row.course_id === null || row.course_id === undefined ? null : Number(row.course_id);
	const communities: ReadonlyArray<number | null> = (courseId === null ? undefined : scope.courseCommunities.get(courseId)) ?? [null];
	return communities.map(communityId => ({
		...base,
		key: sha1(`profile:course_completion:${id}:${communityId ?? 'global'}`),
		community_id: communityId,
		context: {course_id: courseId, certificate_identifier: row.identifier === null ? null : String(row.identifier), ...(communityId === null ? {} : {community_id: communityId})},
	}));
}

const sourceColumns: Record<LegacySourceSql['kind'], string> = {posts: 's.community_id, s.type, s.visibility', comments: 's.community_id, s.post_id', certificates: 's.course_id, s.identifier'};

/** Values compared loosely by text (a number may come back as a numeric string), keys exactly. */
function sameContext(expected: Record<string, unknown>, found: unknown): boolean {
	let parsed: unknown;
	try {
		parsed = typeof found === 'string' ? JSON.parse(found) : found;
	} catch {
		return false;
	}

	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		return false;
	}

	const normalise = (object: Record<string, unknown>) => canonicalJson(Object.fromEntries(Object.entries(object).map(([key, value]) => [key, value === null ? null : String(value)])));
	return normalise(expected) === normalise(parsed as Record<string, unknown>);
}

async function reconcileActivities(sql: Sql, users: readonly number[], scope: MigrationScope, differences: Difference[]): Promise<number> {
	const expected: ExpectedActivity[] = [];
	for (const source of legacySources(scope)) {
		const rows = await sql.all<Row>(
			`SELECT s.id, s.${source.userColumn} AS user_id, ${sourceColumns[source.kind]}, ${source.occurredAt} AS occurred_at FROM ${source.table} s JOIN users u ON u.id = s.${source.userColumn} WHERE s.${source.userColumn} IN (${placeholders(users.length)}) AND ${source.where} ORDER BY s.id`,
			[...users, ...source.parameters],
		);
		expected.push(...rows.flatMap(row => activitiesOf(source, row, scope)));
	}

	const found = new Map<string, Row>();
	for (let start = 0; start < expected.length; start += keysPerQuery) {
		const keys = expected.slice(start, start + keysPerQuery).map(activity => activity.key);
		const rows = await sql.all<Row>(`SELECT idempotency_key, user_id, community_id, activity_type, subject_type, subject_id, occurred_at, context FROM profile_activities WHERE idempotency_key IN (${placeholders(keys.length)})`, keys);
		for (const row of rows) {
			found.set(String(row.idempotency_key), row);
		}
	}

	for (const activity of expected) {
		const row = found.get(activity.key);
		const summary = {idempotency_key: activity.key, activity_type: activity.activity_type, subject_id: activity.subject_id};
		if (!row) {
			differences.push({user_id: activity.user_id, community_id: activity.community_id, kind: 'activity_missing', expected: summary, found: null});
			continue;
		}

		const wrong: Record<string, {expected: unknown; found: unknown}> = {};
		const compare = (field: string, want: unknown, have: unknown) => {
			if (want !== have) {
				wrong[field] = {expected: want, found: have};
			}
		};

		compare('user_id', activity.user_id, Number(row.user_id));
		compare('community_id', activity.community_id, row.community_id === null ? null : Number(row.community_id));
		compare('activity_type', activity.activity_type, String(row.activity_type));
		compare('subject_type', activity.subject_type, String(row.subject_type));
		compare('subject_id', activity.subject_id, Number(row.subject_id));
		compare('occurred_at', activity.occurred_at, timestamp(row.occurred_at));
		if (!sameContext(activity.context, row.context)) {
			wrong.context = {expected: activity.context, found: row.context};
		}

		if (Object.keys(wrong).length > 0) {
			differences.push({user_id: activity.user_id, community_id: activity.community_id, kind: 'activity_differs', expected: {...summary, ...Object.fromEntries(Object.entries(wrong).map(([field, pair]) => [field, pair.expected]))}, found: Object.fromEntries(Object.entries(wrong).map(([field, pair]) => [field, pair.found]))});
		}
	}

	return expected.length;
}

export type Reconciliation = {readonly users: number; readonly memberships_expected: number; readonly activities_expected: number; readonly differences: Difference[]};

/** Every difference for the sampled users, ordered by user, then community, then kind. */
export async function reconcileUsers(sql: Sql, users: readonly number[], runs: RunsToVerify, scopes: {backfill: BackfillScope; migration: MigrationScope}): Promise<Reconciliation> {
	const differences: Difference[] = [];
	let memberships = 0;
	let activities = 0;
	for (let start = 0; start < users.length; start += usersPerSlice) {
		const slice = users.slice(start, start + usersPerSlice);
		memberships += await reconcileMembers(sql, slice, scopes.backfill, runs.backfill.runId, differences);
		activities += await reconcileActivities(sql, slice, scopes.migration, differences);
	}

	differences.sort((a, b) => a.user_id - b.user_id || (a.community_id ?? 0) - (b.community_id ?? 0) || a.kind.localeCompare(b.kind));
	return {users: users.length, memberships_expected: memberships, activities_expected: activities, differences};
}
