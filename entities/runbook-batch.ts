import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';
import {TimestampText} from './timestamp-text.js';

const p = defineEntity.properties;

export const RunbookBatch = defineEntity({
	name: 'RunbookBatch',
	tableName: 'runbook_batches',
	properties: {
		id: p.integer().primary(),
		runId: p.string(),
		seq: p.integer(),
		source: p.string(),
		firstKey: p.integer().nullable(),
		lastKey: p.integer().nullable(),
		batchSize: p.integer(),
		rowsScanned: p.integer(),
		rowsWritten: p.integer(),
		durationMs: p.integer(),
		committedAt: p.type(TimestampText),
	},
});

export type RunbookBatchRow = InferEntity<typeof RunbookBatch>;
