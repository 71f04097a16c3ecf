import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';

const p = defineEntity.properties;

/** Platform users (DESIGN.md §2). */
export const User = defineEntity({
	name: 'User',
	tableName: 'users',
	properties: {
		id: p.integer().primary(),
		email: p.string(),
		name: p.string(),
		role: p.string(),
		createdAt: p.string().columnType('timestamp').nullable(),
	},
});

export type UserRow = InferEntity<typeof User>;
