import type {InferEntity} from '@mikro-orm/core';
import {defineEntity} from './mikro-orm-core.js';
import {TimestampText} from './timestamp-text.js';

const p = defineEntity.properties;

/** What a run changed, written in the same transaction as the change, so rollback undoes exactly that. */
export const RunbookUndo = defineEntity({
	name: 'RunbookUndo',
	tableName: 'runbook_undo',
	properties: {
		id: p.integer().primary(),
		runId: p.string(),
		seq: p.integer(),
		tableName: p.string(),
		rowId: p.integer().nullable(),
		action: p.enum(['insert', 'update', 'file'] as const),
		before: p.text().nullable(),
		afterHash: p.string().nullable(),
		undoneAt: p.type(TimestampText).nullable(),
	},
});

export type RunbookUndoRow = InferEntity<typeof RunbookUndo>;
