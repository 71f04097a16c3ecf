import type {Sql} from '../../db/sql.js';
import type {LegacySourceSql} from './legacy-sources.js';
import type {MigrationScope} from './scope.js';

// The platform's own feed rows that stand in for an activity row the migration did not write (DESIGN.md §3.3,
// records_duplicate): same subject (subject_type, subject_id; for certificates also a community the certificate
// yields a row for) and same user, of another activity type, with no row of the migration's type for that subject.
// Recomputed in portable SQL from the source tables, like the rest of the spot check; the migration's type stands for
// "its key" (SQLite cannot compute sha1 keys in SQL).

type Record_ = (statement: string, parameters?: readonly unknown[]) => void;

/** Platform rows standing in for the source's covered rows (one per yielded row they replace). */
export async function countPlatformRows(sql: Sql, source: LegacySourceSql, scope: MigrationScope, record: Record_): Promise<number> {
	const certificates = source.kind === 'certificates';
	const sameCommunity = certificates ? ' AND (o.community_id = pa.community_id OR (o.community_id IS NULL AND pa.community_id IS NULL))' : '';
	const from = `FROM profile_activities pa JOIN ${source.table} s ON s.id = pa.subject_id AND pa.user_id = s.${source.userColumn} JOIN users u ON u.id = s.${source.userColumn}
		WHERE pa.subject_type = ? AND pa.activity_type <> ? AND ${source.where}
		AND NOT EXISTS (SELECT 1 FROM profile_activities o WHERE o.subject_type = pa.subject_type AND o.subject_id = pa.subject_id AND o.user_id = pa.user_id AND o.activity_type = ?${sameCommunity})`;
	const parameters = [source.subjectType, source.activityType, ...source.parameters, source.activityType];
	if (!certificates) {
		const statement = `SELECT COUNT(*) AS n ${from}`;
		record(statement, parameters);
		const row = await sql.get<{n: unknown}>(statement, parameters);
		return Number(row?.n ?? 0);
	}

	// A certificate yields one row per community linking its course, else one with community NULL: a platform row
	// in any other community stands in for nothing (and the migration wrote ours beside it).
	const statement = `SELECT s.course_id, pa.community_id, COUNT(*) AS n ${from} GROUP BY s.course_id, pa.community_id`;
	record(statement, parameters);
	const rows = await sql.all<{course_id: unknown; community_id: unknown; n: unknown}>(statement, parameters);
	return rows.reduce((sum, row) => {
		const links = row.course_id === null ? [] : (scope.courseCommunities.get(Number(row.course_id)) ?? []);
		const communityId = row.community_id === null ? null : Number(row.community_id);
		const yielded = links.length === 0 ? communityId === null : communityId !== null && links.includes(communityId);
		return sum + (yielded ? Number(row.n) : 0);
	}, 0);
}
