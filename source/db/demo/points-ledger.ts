import type {Sql} from '../sql.js';
import type {Expressions} from './expressions.js';

// The platform's points history of members that exist before stage 11. The tool never touches
// community_points_ledger, but its member_id references community_members ON DELETE CASCADE: a job or rollback that
// deleted and re-inserted a member row (instead of updating it) would silently delete these rows. Every hand-crafted
// member with points (updated, reactivated, restored, banned, unchanged alike) and every 4th bulk member with points
// gets them, so rollback safety shows in the row counts.

/**
 * Up to two entries per chosen member, a post then a comment, summing to the member's `points` (balance_after is the
 * running total); one hour and two hours after joined_at. Ids are derived from the member id: deterministic on both
 * dialects.
 */
export async function insertPointsLedger(sql: Sql, x: Expressions, handMembers: number): Promise<void> {
	const first = `m.points - ${x.idiv('m.points', 3)}`;
	const at = x.timestamp(`${x.unixOf('m.joined_at')} + 3600 * (e.d + 1)`);
	await sql.run(
		`INSERT INTO community_points_ledger (id, community_id, member_id, action, points_delta, balance_after, source_type, source_id, acted_by, occurred_at, created_at, updated_at)
		SELECT 2 * m.id + e.d - 1, m.community_id, m.id,
			CASE e.d WHEN 0 THEN 'post' ELSE 'comment' END,
			CASE e.d WHEN 0 THEN ${first} ELSE ${x.idiv('m.points', 3)} END,
			CASE e.d WHEN 0 THEN ${first} ELSE m.points END,
			CASE e.d WHEN 0 THEN 'community_post' ELSE 'community_comment' END,
			m.id * 10 + e.d, NULL, ${at}, ${at}, ${at}
		FROM community_members m CROSS JOIN (SELECT 0 AS d UNION ALL SELECT 1) e
		WHERE m.points > 0 AND (e.d = 0 OR m.points >= 3) AND (m.id <= ${handMembers} OR m.id % 4 = 0)
		ORDER BY m.id, e.d`,
	);
}
