import {canonicalJson, sha1} from '../../core/canonical-json.js';
import type {Sql} from '../../db/sql.js';
import {type Difference, placeholders, type Row, timestamp} from './differences.js';
import {type LegacySourceSql, legacySources} from './legacy-sources.js';
import type {MigrationScope} from './scope.js';

// Activities of sampled users after the migration (DESIGN.md §3.3): every activity row their source rows yield,
// found by idempotency key with the same content, or — when the platform already showed the subject under its own
// key, so the migration left it alone (records_duplicate) — that row. Rows outside the run's since window are not
// required.

const keysPerQuery = 1000;

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

export async function reconcileActivities(sql: Sql, users: readonly number[], scope: MigrationScope, differences: Difference[]): Promise<number> {
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

	const shownByPlatform = await platformStandIns(sql, expected.filter(activity => !found.has(activity.key)));
	for (const activity of expected) {
		const row = found.get(activity.key);
		const summary = {idempotency_key: activity.key, activity_type: activity.activity_type, subject_id: activity.subject_id};
		if (!row && shownByPlatform.has(activity)) {
			continue; // Not migrated on purpose (records_duplicate): the platform's own row shows it.
		}

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


/**
 * The expected activities without a row under their key whose subject the feed already shows for the same user under
 * another key (for certificates: in the same community), as the migration decides (DESIGN.md §3.3, records_duplicate).
 * One subject lookup per subject type and slice.
 */
async function platformStandIns(sql: Sql, missing: readonly ExpectedActivity[]): Promise<Set<ExpectedActivity>> {
	const shown = new Set<ExpectedActivity>();
	for (const subjectType of new Set(missing.map(activity => activity.subject_type))) {
		const group = missing.filter(activity => activity.subject_type === subjectType);
		const ids = [...new Set(group.map(activity => activity.subject_id))];
		const rows: Row[] = [];
		for (let start = 0; start < ids.length; start += keysPerQuery) {
			const slice = ids.slice(start, start + keysPerQuery);
			rows.push(...(await sql.all<Row>(`SELECT user_id, community_id, subject_id FROM profile_activities WHERE subject_type = ? AND subject_id IN (${placeholders(slice.length)})`, [subjectType, ...slice])));
		}

		for (const activity of group) {
			const standIn = rows.some(
				row =>
					Number(row.subject_id) === activity.subject_id &&
					Number(row.user_id) === activity.user_id &&
					(subjectType !== 'certificate' || (row.community_id === null ? null : Number(row.community_id)) === activity.community_id),
			);
			if (standIn) {
				shown.add(activity);
			}
		}
	}

	return shown;
}
