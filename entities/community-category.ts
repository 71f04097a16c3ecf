import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';

const p = defineEntity.properties;

export const CommunityCategory = defineEntity({
	name: 'CommunityCategory',
	tableName: 'community_categories',
	properties: {
		id: p.integer().primary(),
		slug: p.string(),
		name: p.string(),
		tagline: p.string().nullable(),
		description: p.string().nullable(),
		iconPath: p.string().nullable(),
		colorHex: p.string().nullable(),
		sortOrder: p.integer(),
		isActive: p.boolean(),
		createdAt: p.string().columnType('timestamp').nullable(),
		updatedAt: p.string().columnType('timestamp').nullable(),
	},
});

export type CommunityCategoryRow = InferEntity<typeof CommunityCategory>;
