import {contextJson, idempotencyKey} from './activity.js';
import type {LegacySource} from './source.js';

/** course id → ids of the (non-deleted) communities linking it, ascending. */
export type CourseCommunities = ReadonlyMap<number, readonly number[]>;

/**
 * certificates (user_id not NULL) → `course.completed`: one row per community linking the course, or one row with
 * community NULL (key suffix `global`) when none does (DESIGN.md §3.3).
 */
export function certificatesSource(links: CourseCommunities): LegacySource {
	return {
		name: 'certificates',
		processedMetric: 'completions_processed',
		userColumn: 'user_id',
		columns: ['user_id', 'course_id', 'identifier', 'created_at'],
		filter: since =>
			since === null ? {condition: 's.user_id IS NOT NULL', parameters: []} : {condition: 's.user_id IS NOT NULL AND s.created_at >= ?', parameters: [since]},
		occurredAt: row => row.created_at,
		toActivities: (row, userId, occurredAt) => {
			const id = Number(row.id);
			const courseId = row.course_id === null || row.course_id === undefined ? null : Number(row.course_id);
			const communities: ReadonlyArray<number | null> = (courseId === null ? undefined : links.get(courseId)) ?? [null];
			return communities.map(communityId => ({
				user_id: userId,
				community_id: communityId,
				activity_type: 'course.completed',
				subject_type: 'certificate',
				subject_id: id,
				idempotency_key: idempotencyKey('course_completion', id, communityId),
				occurred_at: occurredAt,
				context: contextJson([
					['course_id', courseId],
					['certificate_identifier', row.identifier === null || row.identifier === undefined ? null : String(row.identifier)],
					...(communityId === null ? [] : [['community_id', communityId] as const]),
				]),
			}));
		},
	};
}
