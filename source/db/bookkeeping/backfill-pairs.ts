import type {Sql} from '../sql.js';

// runbook_backfill_pairs (DESIGN.md §4, §6): the backfill's work table, one row per (community, user) pair of a run,
// filled set-based in one pass at the run's start and walked by id in keyset batches. Only the latest run can resume,
// so it only ever holds one run's pairs.

export const pairsTable = 'runbook_backfill_pairs';

const pairColumns = 'community_id, user_id, target_priority, target_joined_at, first_enrollment_id, first_course_id, enrollment_count';

export type PairRange = {readonly base: number; readonly last: number; readonly count: number; readonly enrollments: number};

/**
 * Empties the work table. TRUNCATE on MariaDB (a DELETE of 250k rows took over a second); SQLite's unqualified
 * DELETE truncates by itself.
 */
export async function clearPairs(sql: Sql): Promise<void> {
	await sql.run(sql.dialect === 'mysql' ? `TRUNCATE TABLE ${pairsTable}` : `DELETE FROM ${pairsTable}`);
}

/**
 * Fills the work table from SELECTs of pairs (columns as `pairColumns`), one INSERT each in the given order, each in
 * (community, user) order, after clearing leftovers of older runs and of a half-built attempt of this one; returns the
 * id range the batches walk. The chunks must not share a community, and come in community order.
 */
export async function fillPairs(sql: Sql, runId: string, chunks: ReadonlyArray<{readonly sql: string; readonly params: readonly unknown[]}>, record: (statement: string, parameters: readonly unknown[]) => void): Promise<PairRange> {
	await clearPairs(sql);
	const selected = pairColumns.split(', ').map(column => `w.${column}`).join(', ');
	for (const pairs of chunks) {
		const statement = `INSERT INTO ${pairsTable} (run_id, ${pairColumns})
SELECT ?, ${selected} FROM (${pairs.sql}) w
ORDER BY w.community_id, w.user_id`;
		record(statement, [runId, ...pairs.params]);
		await sql.run(statement, [runId, ...pairs.params]);
	}

	const range = await sql.get<Record<string, unknown>>(`SELECT MIN(id) AS first, MAX(id) AS last, COUNT(*) AS count, SUM(enrollment_count) AS enrollments FROM ${pairsTable} WHERE run_id = ?`, [runId]);
	const count = Number(range?.count ?? 0);
	return count === 0 ? {base: 0, last: 0, count, enrollments: 0} : {base: Number(range!.first) - 1, last: Number(range!.last), count, enrollments: Number(range!.enrollments ?? 0)};
}

/** Enrollments of the run's pairs whose member is banned (skipped, never touched): known before the first write. */
export async function bannedPairEnrollments(sql: Sql, runId: string): Promise<number> {
	const row = await sql.get<{n: unknown}>(
		`SELECT COALESCE(SUM(p.enrollment_count), 0) AS n FROM ${pairsTable} p
		 WHERE p.run_id = ? AND EXISTS (SELECT 1 FROM community_members m WHERE m.community_id = p.community_id AND m.user_id = p.user_id AND m.status = 'banned')`,
		[runId],
	);
	return Number(row?.n ?? 0);
}
