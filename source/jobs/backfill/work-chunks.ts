import {Sql} from '../../db/sql.js';
import type {ClassroomLink} from '../classroom-links.js';

// The work table is filled in chunks of whole communities, in community order, so the ids still follow
// (community, user) order. Why: the pair aggregation's GROUP BY and its derived table live in a temporary table,
// which MariaDB moves to disk beyond tmp_table_size (16 MiB by default). In one statement over the 1M dense data
// (1M pairs) that statement took 69 s; the same aggregation with the temporary table in memory took 13.9 s. A chunk of
// at most `enrollmentsPerChunk` linked enrollments has at most that many pairs and stays in memory at the default.

/**
 * Linked enrollments per chunk, so at most that many grouped rows: an estimate that leaves room under MariaDB's default
 * 16 MiB tmp_table_size (the temporary table's row size was not measured; the 1M dense pairs filled in 24 chunks in 28.5 s
 * against 42 s in one statement).
 */
const enrollmentsPerChunk = 50_000;

/** Enrollments with id ≤ upperBound per linked course, counted on the course_id index. */
export async function enrollmentsPerCourse(sql: Sql, links: readonly ClassroomLink[], upperBound: number): Promise<Map<number, number>> {
	const courses = [...new Set(links.map(link => link.courseId))];
	const counts = new Map<number, number>();
	if (courses.length === 0) {
		return counts;
	}

	const rows = await sql.all<{course_id: unknown; n: unknown}>(`SELECT course_id, COUNT(*) AS n FROM enrollments WHERE course_id IN (${Sql.placeholders(courses.length)}) AND id <= ? GROUP BY course_id`, [...courses, upperBound]);
	for (const row of rows) {
		counts.set(Number(row.course_id), Number(row.n));
	}

	return counts;
}

/**
 * The links packed into chunks of whole communities in ascending community id, each chunk holding at most `limit`
 * enrollments, except a community larger than `limit`, which is a chunk of its own (a pair never spans two chunks).
 */
export function packCommunities(links: readonly ClassroomLink[], enrollmentsOfCourse: ReadonlyMap<number, number>, limit = enrollmentsPerChunk): ClassroomLink[][] {
	const byCommunity = new Map<number, ClassroomLink[]>();
	for (const link of [...links].sort((a, b) => a.communityId - b.communityId)) {
		const community = byCommunity.get(link.communityId) ?? [];
		community.push(link);
		byCommunity.set(link.communityId, community);
	}

	const chunks: ClassroomLink[][] = [];
	let current: ClassroomLink[] = [];
	let size = 0;
	for (const community of byCommunity.values()) {
		const enrollments = community.reduce((sum, link) => sum + (enrollmentsOfCourse.get(link.courseId) ?? 0), 0);
		if (current.length > 0 && size + enrollments > limit) {
			chunks.push(current);
			current = [];
			size = 0;
		}

		current.push(...community);
		size += enrollments;
	}

	if (current.length > 0) {
		chunks.push(current);
	}

	return chunks;
}
