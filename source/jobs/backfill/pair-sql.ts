import type {Dialect} from '../../db/sql.js';
import {type ClassroomLink, rolePriority} from '../classroom-links.js';
import {localSecondsToTextSql, textToLocalSecondsSql} from '../platform/local-time.js';

// The SQL both the dry run and the execution are built from, so they cannot diverge (DESIGN.md §6): the links as a
// derived table, the (community, user) pair aggregation over enrollments, and the classification of a pair against
// its member row.

export type Fragment = {readonly sql: string; readonly params: readonly unknown[]};

/** What happens to a pair, decided once by its member row as it was before the run (DESIGN.md §3.2). */
export type PairAction = 'create' | 'banned' | 'reactivate' | 'update' | 'unchanged';

export const pairActions: readonly PairAction[] = ['create', 'reactivate', 'update', 'unchanged', 'banned'];

export const metricNames = [
	'communities_processed',
	'communities_skipped',
	'enrollments_scanned',
	'members_created',
	'members_reactivated',
	'members_updated',
	'members_unchanged',
	'records_skipped',
] as const;

const actionMetric: Record<PairAction, string | null> = {
	create: 'members_created',
	reactivate: 'members_reactivated',
	update: 'members_updated',
	unchanged: 'members_unchanged',
	banned: null,
};

/** Metric deltas of `pairs` pairs with `enrollments` enrollments in one action: shared by plan and execute. */
export function metricsOf(action: PairAction, pairs: number, enrollments: number): Record<string, number> {
	const metric = actionMetric[action];
	return {enrollments_scanned: enrollments, ...(metric ? {[metric]: pairs} : {records_skipped: enrollments})};
}

/** 'YYYY-MM-DD HH:MM:SS' text of a timestamp expression, on both dialects (also normalises ISO-ish SQLite text). */
export function timestampText(dialect: Dialect, expression: string): string {
	return dialect === 'sqlite' ? `strftime('%Y-%m-%d %H:%M:%S', ${expression})` : `DATE_FORMAT(${expression}, '%Y-%m-%d %H:%i:%s')`;
}

/** The links as a derived table (community_id, course_id, priority). Callers skip the query when there are none. */
export function linksTable(dialect: Dialect, links: readonly ClassroomLink[]): Fragment {
	if (links.length === 0) {
		throw new Error('linksTable needs at least one link.');
	}

	const params = links.flatMap(link => [link.communityId, link.courseId, rolePriority[link.role]]);
	if (dialect === 'sqlite') {
		// VALUES is exempt from SQLite's 500-term compound SELECT limit.
		const values = links.map(() => '(?, ?, ?)').join(', ');
		return {sql: `SELECT column1 AS community_id, column2 AS course_id, column3 AS priority FROM (VALUES ${values})`, params};
	}

	const rows = links.map((_, index) => (index === 0 ? 'SELECT ? AS community_id, ? AS course_id, ? AS priority' : 'SELECT ?, ?, ?')).join(' UNION ALL ');
	return {sql: rows, params};
}

/**
 * The enrollment's date for joined_at in local seconds (the platform's wall clock read as UTC, DESIGN.md §2):
 * entry_date (an instant, converted by `entryLocal`), else created_at (wall-clock text already), else the run's start
 * (one parameter). The MIN is taken over seconds and formatted once per pair, which keeps MariaDB's GROUP BY temporary
 * table narrow (4× faster on 1M enrollments than a MIN over formatted text).
 */
function enrollmentSeconds(dialect: Dialect, entryLocal: string): string {
	return `COALESCE(${entryLocal}, ${textToLocalSecondsSql(dialect, 'e.created_at')}, ?)`;
}

/**
 * One row per (community, user) pair over the enrollments with id ≤ upperBound whose course is linked and whose
 * user exists: target priority (highest link role), target joined_at (earliest date), first enrollment and its
 * course, enrollment count. Ordered by (community_id, user_id) so the work table's ids follow that order.
 */
export function pairAggregation(dialect: Dialect, links: Fragment, upperBound: number, dates: {readonly entryLocal: string; readonly runStartLocalSeconds: number}): Fragment {
	const runStartSeconds = dates.runStartLocalSeconds;
	return {
		sql: `SELECT g.community_id, g.user_id, g.target_priority, g.target_joined_at, g.first_enrollment_id, f.course_id AS first_course_id, g.enrollment_count
FROM (
  SELECT l.community_id, e.user_id, MAX(l.priority) AS target_priority, ${localSecondsToTextSql(dialect, `MIN(${enrollmentSeconds(dialect, dates.entryLocal)})`)} AS target_joined_at, MIN(e.id) AS first_enrollment_id, COUNT(*) AS enrollment_count
  FROM enrollments e
  JOIN (${links.sql}) l ON l.course_id = e.course_id
  JOIN users u ON u.id = e.user_id
  WHERE e.id <= ? AND e.user_id > 0
  GROUP BY l.community_id, e.user_id
) g
JOIN enrollments f ON f.id = g.first_enrollment_id`,
		params: [runStartSeconds, ...links.params, upperBound],
	};
}

/**
 * Linked enrollments that can never form a pair: user_id NULL / ≤ 0, or a user_id not in users. The unusable user ids
 * are found from the distinct ids of the enrollments.user_id index (a few thousand users, not a users lookup per
 * enrollment), and only their enrollments are read: 9× less work than a LEFT JOIN over every enrollment. They are
 * set apart first (a CTE SQLite materializes, then joins to the links through an automatic index): joined in one
 * FROM, SQLite walked every linked course's enrollments by course_id instead, 21 s rather than 0.2 s on 5M
 * enrollments (and 6.8 s when a fifth of the users are gone). The two kinds are a UNION ALL, each on the user_id index:
 * with `user_id IS NULL OR user_id IN (…)` MariaDB merged the CTE and walked every linked course's enrollments the same
 * way, 3.3 s rather than 0.19 s on the 1M demo data. The unusable ids drive the join (STRAIGHT_JOIN / CROSS JOIN fix
 * the order): as `user_id IN (subquery)` MariaDB made it a semi-join driven by an enrollments range scan, 36 s rather
 * than 1.7 s on the 1M dense data (500k distinct users).
 */
export function skippedEnrollments(dialect: Dialect, links: Fragment, upperBound: number, samplesPerReason: number): Fragment {
	return {
		sql: `WITH unusable AS${dialect === 'sqlite' ? ' MATERIALIZED' : ''} (
  SELECT e.id, e.user_id, e.course_id FROM enrollments e WHERE e.id <= ? AND e.user_id IS NULL
  UNION ALL
  SELECT ${dialect === 'mysql' ? 'STRAIGHT_JOIN ' : ''}e.id, e.user_id, e.course_id FROM (
    SELECT d.user_id FROM (SELECT DISTINCT user_id FROM enrollments WHERE user_id IS NOT NULL) d LEFT JOIN users u ON u.id = d.user_id WHERE d.user_id <= 0 OR u.id IS NULL
  ) bad ${dialect === 'sqlite' ? 'CROSS JOIN' : 'JOIN'} enrollments e ON e.user_id = bad.user_id
  WHERE e.id <= ?
)
SELECT reason, community_id, enrollment_id, enrollments FROM (
  SELECT s.*, ROW_NUMBER() OVER (PARTITION BY reason ORDER BY enrollment_id, community_id) AS rn, COUNT(*) OVER (PARTITION BY reason) AS enrollments
  FROM (
    SELECT CASE WHEN e.user_id IS NULL OR e.user_id <= 0 THEN 'user_id_missing' ELSE 'user_not_found' END AS reason, l.community_id, e.id AS enrollment_id
    FROM unusable e
    JOIN (${links.sql}) l ON l.course_id = e.course_id
  ) s
) w
WHERE rn <= ?
ORDER BY reason, rn`,
		params: [upperBound, upperBound, ...links.params, samplesPerReason],
	};
}

/** The classification of pair `p` against its member row `m` (LEFT JOINed on community_id, user_id). */
export function classifyPair(dialect: Dialect): string {
	const memberPriority = `CASE m.role ${Object.entries(rolePriority)
		.map(([role, priority]) => `WHEN '${role}' THEN ${priority}`)
		.join(' ')} ELSE 1 END`;
	return `CASE
    WHEN m.id IS NULL THEN 'create'
    WHEN m.status = 'banned' THEN 'banned'
    WHEN m.deleted_at IS NOT NULL OR m.status IN ('left', 'pending') THEN 'reactivate'
    WHEN ${memberPriority} < p.target_priority OR ${timestampText(dialect, 'm.joined_at')} > ${timestampText(dialect, 'p.target_joined_at')} THEN 'update'
    ELSE 'unchanged'
  END`;
}

/** Prefix of the member row's columns in a batch's result: `member_row__<column>` (see `classifiedColumns`). */
export const memberRowPrefix = 'member_row__';

/**
 * Columns of a classified pair, for a batch (work table) or a dry run (aggregation subquery) alike. `memberColumns`
 * (the batch passes every column of community_members) adds the member row whole, as `member_row__<column>`: an
 * update's after_hash covers every column of the row (DESIGN.md §8).
 */
export function classifiedColumns(dialect: Dialect, memberColumns: readonly string[] = []): string {
	const wholeRow = memberColumns.map(column => `, m.\`${column}\` AS ${memberRowPrefix}${column}`).join('');
	return `${classifyPair(dialect)} AS action, p.community_id, p.user_id, p.target_priority, ${timestampText(dialect, 'p.target_joined_at')} AS target_joined_at,
  p.first_course_id, p.enrollment_count, m.id AS member_id, m.role AS member_role, m.status AS member_status, m.joined_at AS member_joined_at,
  ${timestampText(dialect, 'm.joined_at')} AS member_joined_text, m.deleted_at AS member_deleted_at, m.metadata AS member_metadata${wholeRow}`;
}

export const memberJoin = 'LEFT JOIN community_members m ON m.community_id = p.community_id AND m.user_id = p.user_id';

/** The dry run in one read-only pass: per action the pair and enrollment totals, plus the first `samples` pairs. */
export function planQuery(dialect: Dialect, pairs: Fragment, samples: number): Fragment {
	return {
		sql: `SELECT * FROM (
  SELECT c.*, ROW_NUMBER() OVER (PARTITION BY action ORDER BY community_id, user_id) AS rn, COUNT(*) OVER (PARTITION BY action) AS pairs, SUM(enrollment_count) OVER (PARTITION BY action) AS enrollments
  FROM (SELECT ${classifiedColumns(dialect)} FROM (${pairs.sql}) p ${memberJoin}) c
) w
WHERE rn <= ?
ORDER BY action, rn`,
		params: [...pairs.params, samples],
	};
}
