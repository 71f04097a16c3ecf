import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';
import {TimestampText} from './timestamp-text.js';

const p = defineEntity.properties;

/** One row per job execution: the checkpoint a resume continues from (DESIGN.md §4). */
export const RunbookRun = defineEntity({
	name: 'RunbookRun',
	tableName: 'runbook_runs',
	properties: {
		id: p.integer().primary(),
		runId: p.string(),
		job: p.string(),
		params: p.text(),
		paramsHash: p.string(),
		codeVersion: p.string(),
		mode: p.enum(['dry-run', 'execute', 'rollback'] as const),
		status: p.enum(['running', 'succeeded', 'failed', 'aborted', 'rolled-back'] as const),
		cursor: p.text().nullable(),
		metrics: p.text().nullable(),
		state: p.text().nullable(),
		host: p.string(),
		pid: p.integer(),
		parentRunId: p.string().nullable(),
		startedAt: p.type(TimestampText),
		heartbeatAt: p.type(TimestampText).nullable(),
		finishedAt: p.type(TimestampText).nullable(),
	},
});

export type RunbookRunRow = InferEntity<typeof RunbookRun>;
