import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';

const p = defineEntity.properties;

export const CommunityPost = defineEntity({
	name: 'CommunityPost',
	tableName: 'community_posts',
	properties: {
		id: p.integer().primary(),
		communityId: p.integer(),
		authorId: p.integer().nullable(),
		type: p.enum(['text', 'image', 'video', 'link', 'poll'] as const),
		visibility: p.enum(['community', 'public', 'paid'] as const),
		publishedAt: p.string().columnType('timestamp').nullable(),
		createdAt: p.string().columnType('timestamp').nullable(),
		deletedAt: p.string().columnType('timestamp').nullable(),
	},
});

export type CommunityPostRow = InferEntity<typeof CommunityPost>;
