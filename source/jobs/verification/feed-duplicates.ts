import {Sql} from '../../db/sql.js';
import type {SpotCheck} from './spot-check.js';

// DESIGN.md §3.3 / §7 (issue 14): verify reports any subject that appears twice in the feed — same subject_type,
// subject_id, community_id and user, whatever the keys (the platform's UUIDs or ours).
//
// Scope: the WHOLE table, not only the verified run's since/id window (limiting it to that window would need a join
// to the three source tables for every row; the whole table is one pass over the subject index range and also catches
// a duplicate the platform made after the run), but only the subject types the migration writes: the platform keeps
// other subjects, e.g. `user` for `profile.updated`, that legitimately appear once per event.

export const feedSubjectTypes = ['community_post', 'community_comment', 'certificate'] as const;

/** How many duplicated subjects are spelled out with their rows (all are counted). */
const listLimit = 20;

export type FeedDuplicateSubject = {
	readonly subject_type: string;
	readonly subject_id: number;
	readonly community_id: number | null;
	readonly user_id: number;
	readonly count: number;
	readonly rows: ReadonlyArray<{readonly id: number; readonly idempotency_key: string; readonly activity_type: string}>;
};

type Record_ = (statement: string, parameters?: readonly unknown[]) => void;

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

export async function feedDuplicatesCheck(sql: Sql, record: Record_): Promise<SpotCheck> {
	const types = [...feedSubjectTypes];
	const groupSql = `SELECT subject_type, subject_id, community_id, user_id, COUNT(*) AS n FROM profile_activities WHERE subject_type IN (${Sql.placeholders(types.length)}) GROUP BY subject_type, subject_id, community_id, user_id HAVING COUNT(*) > 1 ORDER BY subject_type, subject_id, community_id, user_id`;
	record(groupSql, types);
	const groups = await sql.all<Record<string, unknown>>(groupSql, types);
	const heads = groups.slice(0, listLimit).map(group => ({
		subject_type: String(group.subject_type),
		subject_id: Number(group.subject_id),
		community_id: numberOrNull(group.community_id),
		user_id: Number(group.user_id),
		count: Number(group.n),
	}));
	const rows = await rowsOfSubjects(sql, heads, record);
	const listed: FeedDuplicateSubject[] = heads.map(head => ({
		...head,
		rows: rows
			.filter(row => String(row.subject_type) === head.subject_type && Number(row.subject_id) === head.subject_id && Number(row.user_id) === head.user_id && numberOrNull(row.community_id) === head.community_id)
			.map(row => ({id: Number(row.id), idempotency_key: String(row.idempotency_key), activity_type: String(row.activity_type)})),
	}));
	return {
		name: 'feed duplicates',
		passed: groups.length === 0,
		what: `subjects (${types.join(', ')}) shown more than once in profile_activities: same subject_type, subject_id, community_id and user_id under any keys, whole table`,
		expected: 0,
		found: groups.length,
		details: {duplicates: listed, listed: listed.length},
		...(groups.length === 0 ? {} : {problem: describe(groups.length, listed)}),
	};
}

/** The rows of the listed subjects: one lookup per subject type over the subject index. */
async function rowsOfSubjects(sql: Sql, heads: ReadonlyArray<{subject_type: string; subject_id: number}>, record: Record_): Promise<Array<Record<string, unknown>>> {
	const rows: Array<Record<string, unknown>> = [];
	for (const subjectType of new Set(heads.map(head => head.subject_type))) {
		const ids = [...new Set(heads.filter(head => head.subject_type === subjectType).map(head => head.subject_id))];
		const statement = `SELECT id, user_id, community_id, subject_type, subject_id, idempotency_key, activity_type FROM profile_activities WHERE subject_type = ? AND subject_id IN (${Sql.placeholders(ids.length)}) ORDER BY id`;
		record(statement, [subjectType, ...ids]);
		rows.push(...(await sql.all<Record<string, unknown>>(statement, [subjectType, ...ids])));
	}

	return rows;
}

function describe(total: number, listed: readonly FeedDuplicateSubject[]): string {
	const first = listed.slice(0, 5).map(group => `${group.subject_type} ${group.subject_id} (user ${group.user_id}${group.community_id === null ? '' : `, community ${group.community_id}`}): rows ${group.rows.map(row => `${row.id} ${row.activity_type} key ${row.idempotency_key}`).join(', ')}`);
	return `${total} subject${total === 1 ? '' : 's'} shown twice in the feed: ${first.join('; ')}${total > first.length ? '; …' : ''}`;
}
