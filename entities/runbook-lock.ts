import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';
import {TimestampText} from './timestamp-text.js';

const p = defineEntity.properties;

export const RunbookLock = defineEntity({
	name: 'RunbookLock',
	tableName: 'runbook_locks',
	properties: {
		name: p.string().primary(),
		runId: p.string(),
		host: p.string(),
		pid: p.integer(),
		acquiredAt: p.type(TimestampText),
		heartbeatAt: p.type(TimestampText),
	},
});

export type RunbookLockRow = InferEntity<typeof RunbookLock>;
