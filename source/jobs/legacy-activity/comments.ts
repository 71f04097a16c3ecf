import {contextJson, idempotencyKey} from './activity.js';
import type {LegacySource} from './source.js';

/** community_post_comments → `community_comment.posted` (DESIGN.md §3.3). */
export const commentsSource: LegacySource = {
	name: 'community_post_comments',
	processedMetric: 'comments_processed',
	userColumn: 'author_id',
	columns: ['community_id', 'post_id', 'author_id', 'created_at'],
	filter: since =>
		since === null ? {condition: 's.deleted_at IS NULL', parameters: []} : {condition: 's.deleted_at IS NULL AND s.created_at >= ?', parameters: [since]},
	occurredAt: row => row.created_at,
	toActivities: (row, userId, occurredAt) => {
		const communityId = Number(row.community_id);
		return [
			{
				user_id: userId,
				community_id: communityId,
				activity_type: 'community_comment.posted',
				subject_type: 'community_comment',
				subject_id: Number(row.id),
				idempotency_key: idempotencyKey('community_comment', Number(row.id), communityId),
				occurred_at: occurredAt,
				context: contextJson([['post_id', row.post_id === null ? null : Number(row.post_id)]]),
			},
		];
	},
};
