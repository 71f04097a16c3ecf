import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';

const p = defineEntity.properties;

export const Course = defineEntity({
	name: 'Course',
	tableName: 'courses',
	properties: {
		id: p.integer().primary(),
		title: p.string(),
	},
});

export type CourseRow = InferEntity<typeof Course>;
