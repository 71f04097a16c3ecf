import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';

const p = defineEntity.properties;

export const CommunityLevel = defineEntity({
	name: 'CommunityLevel',
	tableName: 'community_levels',
	properties: {
		id: p.integer().primary(),
		communityId: p.integer().nullable(),
		level: p.integer(),
		name: p.string(),
		badgePath: p.string().nullable(),
		pointsRequired: p.integer(),
		description: p.string().nullable(),
		rewards: p.string().columnType('json').nullable(),
		isActive: p.boolean(),
		createdAt: p.string().columnType('timestamp').nullable(),
		updatedAt: p.string().columnType('timestamp').nullable(),
	},
});

export type CommunityLevelRow = InferEntity<typeof CommunityLevel>;
