import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';

const p = defineEntity.properties;

export const PersonalAccessToken = defineEntity({
	name: 'PersonalAccessToken',
	tableName: 'personal_access_tokens',
	properties: {
		id: p.integer().primary(),
		tokenableType: p.string(),
		tokenableId: p.integer(),
		name: p.string(),
		token: p.string(),
		abilities: p.string().nullable(),
		lastUsedAt: p.string().columnType('timestamp').nullable(),
		expiresAt: p.string().columnType('timestamp').nullable(),
		createdAt: p.string().columnType('timestamp').nullable(),
		updatedAt: p.string().columnType('timestamp').nullable(),
	},
});

export type PersonalAccessTokenRow = InferEntity<typeof PersonalAccessToken>;
