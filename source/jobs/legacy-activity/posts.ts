import {contextJson, idempotencyKey} from './activity.js';
import type {LegacySource} from './source.js';

/** community_posts → `community_post.published` (DESIGN.md §3.3). */
export const postsSource: LegacySource = {
	name: 'community_posts',
	processedMetric: 'posts_processed',
	userColumn: 'author_id',
	columns: ['community_id', 'author_id', 'type', 'visibility', 'published_at', 'created_at'],
	filter: since =>
		since === null
			? {condition: 's.deleted_at IS NULL', parameters: []}
			: {condition: 's.deleted_at IS NULL AND (s.published_at >= ? OR s.created_at >= ?)', parameters: [since, since]},
	occurredAt: row => row.published_at ?? row.created_at,
	toActivities: (row, userId, occurredAt) => {
		const communityId = Number(row.community_id);
		return [
			{
				user_id: userId,
				community_id: communityId,
				activity_type: 'community_post.published',
				subject_type: 'community_post',
				subject_id: Number(row.id),
				idempotency_key: idempotencyKey('community_post', Number(row.id), communityId),
				occurred_at: occurredAt,
				context: contextJson([
					['type', row.type],
					['visibility', row.visibility],
				]),
			},
		];
	},
};
