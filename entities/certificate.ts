import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';

const p = defineEntity.properties;

export const Certificate = defineEntity({
	name: 'Certificate',
	tableName: 'certificates',
	properties: {
		id: p.integer().primary(),
		userId: p.integer().nullable(),
		courseId: p.integer().nullable(),
		identifier: p.string(),
		createdAt: p.string().columnType('timestamp').nullable(),
	},
});

export type CertificateRow = InferEntity<typeof Certificate>;
