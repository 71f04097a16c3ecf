import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';

const p = defineEntity.properties;

export const CommunityMember = defineEntity({
	name: 'CommunityMember',
	tableName: 'community_members',
	properties: {
		id: p.integer().primary(),
		communityId: p.integer(),
		userId: p.integer(),
		role: p.enum(['owner', 'admin', 'moderator', 'member'] as const),
		status: p.enum(['active', 'pending', 'banned', 'left'] as const),
		joinedAt: p.string().columnType('timestamp'),
		metadata: p.string().columnType('json').nullable(),
		createdAt: p.string().columnType('timestamp').nullable(),
		updatedAt: p.string().columnType('timestamp').nullable(),
		deletedAt: p.string().columnType('timestamp').nullable(),
	},
});

export type CommunityMemberRow = InferEntity<typeof CommunityMember>;
