import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';

const p = defineEntity.properties;

export const Enrollment = defineEntity({
	name: 'Enrollment',
	tableName: 'enrollments',
	properties: {
		id: p.integer().primary(),
		userId: p.integer().nullable(),
		courseId: p.integer().nullable(),
		entryDate: p.integer().nullable(),
		createdAt: p.string().columnType('timestamp').nullable(),
	},
});

export type EnrollmentRow = InferEntity<typeof Enrollment>;
