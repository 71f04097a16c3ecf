import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';

const p = defineEntity.properties;

export const ProfileActivity = defineEntity({
	name: 'ProfileActivity',
	tableName: 'profile_activities',
	properties: {
		id: p.integer().primary(),
		userId: p.integer(),
		communityId: p.integer().nullable(),
		activityType: p.string(),
		subjectType: p.string(),
		subjectId: p.integer(),
		idempotencyKey: p.string(),
		occurredAt: p.string().columnType('timestamp'),
		context: p.string().columnType('json').nullable(),
		createdAt: p.string().columnType('timestamp').nullable(),
		updatedAt: p.string().columnType('timestamp').nullable(),
	},
});

export type ProfileActivityRow = InferEntity<typeof ProfileActivity>;
