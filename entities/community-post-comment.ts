import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';

const p = defineEntity.properties;

export const CommunityPostComment = defineEntity({
	name: 'CommunityPostComment',
	tableName: 'community_post_comments',
	properties: {
		id: p.integer().primary(),
		communityId: p.integer(),
		postId: p.integer(),
		authorId: p.integer().nullable(),
		createdAt: p.string().columnType('timestamp').nullable(),
		deletedAt: p.string().columnType('timestamp').nullable(),
	},
});

export type CommunityPostCommentRow = InferEntity<typeof CommunityPostComment>;
