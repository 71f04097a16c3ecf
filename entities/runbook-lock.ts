import {defineEntity, type InferEntity} from '@mikro-orm/core';

const p = defineEntity.properties;

export const RunbookLock = defineEntity({
	name: 'RunbookLock',
	tableName: 'runbook_locks',
	properties: {
		name: p.string().primary(),
		runId: p.string(),
		host: p.string(),
		pid: p.integer(),
		acquiredAt: p.string().columnType('timestamp'),
		heartbeatAt: p.string().columnType('timestamp'),
	},
});

export type RunbookLockRow = InferEntity<typeof RunbookLock>;
