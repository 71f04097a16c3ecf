import type {Sql} from '../../db/sql.js';
import type {BackfillScope} from './scope.js';

// Step 3 of DESIGN.md §7 draws its users deterministically: the same data and --seed give the same sample.

/** Users (existing, id > 0) with an enrollment in a linked course or any legacy activity, ascending. */
export async function candidateUsers(sql: Sql, scope: BackfillScope, record: (statement: string, parameters?: readonly unknown[]) => void): Promise<number[]> {
	const courses = [...scope.byCourse.keys()].sort((a, b) => a - b);
	const parts = [
		...(courses.length > 0 ? [`SELECT user_id FROM enrollments WHERE course_id IN (${courses.map(() => '?').join(', ')})`] : []),
		'SELECT author_id AS user_id FROM community_posts WHERE deleted_at IS NULL',
		'SELECT author_id AS user_id FROM community_post_comments WHERE deleted_at IS NULL',
		'SELECT user_id FROM certificates',
	];
	const statement = `SELECT c.user_id FROM (${parts.join(' UNION ')}) c JOIN users u ON u.id = c.user_id WHERE c.user_id > 0 ORDER BY c.user_id`;
	record(statement, courses);
	const rows = await sql.all<{user_id: unknown}>(statement, courses);
	return rows.map(row => Number(row.user_id));
}

/** mulberry32: a small, well-mixed 32-bit PRNG; the same seed gives the same sequence on every platform. */
export function seededRandom(seed: number): () => number {
	let state = Math.trunc(seed) >>> 0;
	return () => {
		state = (state + 0x6d_2b_79_f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

/** `size` distinct ids drawn with Floyd's algorithm (O(size)), returned ascending; all of them when fewer. */
export function sampleIds(ids: readonly number[], size: number, seed: number): number[] {
	if (ids.length <= size) {
		return [...ids];
	}

	const random = seededRandom(seed);
	const chosen = new Set<number>();
	for (let j = ids.length - size; j < ids.length; j++) {
		const pick = Math.floor(random() * (j + 1));
		chosen.add(chosen.has(pick) ? j : pick);
	}

	return [...chosen].map(index => ids[index]!).sort((a, b) => a - b);
}
