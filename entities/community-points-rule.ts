import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';

const p = defineEntity.properties;

export const CommunityPointsRule = defineEntity({
	name: 'CommunityPointsRule',
	tableName: 'community_points_rules',
	properties: {
		id: p.integer().primary(),
		communityId: p.integer().nullable(),
		action: p.string(),
		points: p.integer(),
		cooldownSeconds: p.integer(),
		isActive: p.boolean(),
		conditions: p.string().columnType('json').nullable(),
		metadata: p.string().columnType('json').nullable(),
		createdAt: p.string().columnType('timestamp').nullable(),
		updatedAt: p.string().columnType('timestamp').nullable(),
	},
});

export type CommunityPointsRuleRow = InferEntity<typeof CommunityPointsRule>;
