import {defineEntity, type InferEntity} from '@mikro-orm/core';

const p = defineEntity.properties;

/** One row per job execution: the checkpoint a resume continues from (DESIGN.md §4). */
export const RunbookRun = defineEntity({
	name: 'RunbookRun',
	tableName: 'runbook_runs',
	properties: {
		id: p.integer().primary(),
		runId: p.string(),
		job: p.string(),
		params: p.string().columnType('json'),
		paramsHash: p.string(),
		codeVersion: p.string(),
		mode: p.enum(['dry-run', 'execute', 'rollback'] as const),
		status: p.enum(['running', 'succeeded', 'failed', 'aborted', 'rolled-back'] as const),
		cursor: p.string().columnType('json').nullable(),
		metrics: p.string().columnType('json').nullable(),
		state: p.string().columnType('json').nullable(),
		host: p.string(),
		pid: p.integer(),
		parentRunId: p.string().nullable(),
		startedAt: p.string().columnType('timestamp'),
		heartbeatAt: p.string().columnType('timestamp').nullable(),
		finishedAt: p.string().columnType('timestamp').nullable(),
	},
});

export type RunbookRunRow = InferEntity<typeof RunbookRun>;
