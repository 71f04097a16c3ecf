import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';

const p = defineEntity.properties;

export const Community = defineEntity({
	name: 'Community',
	tableName: 'communities',
	properties: {
		id: p.integer().primary(),
		slug: p.string(),
		name: p.string(),
		settings: p.string().columnType('json').nullable(),
		launchedAt: p.string().columnType('timestamp').nullable(),
		createdBy: p.integer().nullable(),
		createdAt: p.string().columnType('timestamp').nullable(),
		updatedAt: p.string().columnType('timestamp').nullable(),
		deletedAt: p.string().columnType('timestamp').nullable(),
	},
});

export type CommunityRow = InferEntity<typeof Community>;
