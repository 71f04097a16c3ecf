import type {z} from 'zod';
import {RollbackFailed} from '../core/errors.js';
import {markRolledBack} from '../db/bookkeeping/runs.js';
import {fetchPending, markUndone, type UndoRecord, undoScope} from '../db/bookkeeping/undo-journal.js';
import type {Sql} from '../db/sql.js';
import type {BatchSource} from '../engine/batch-runner.js';
import type {CheckResult, Job, JobContext, JobResult} from '../engine/job.js';
import {applyFiles, judgeFiles} from '../engine/undo/undo-files.js';
import {applyRows, judgeRows, type RollbackConflict} from '../engine/undo/undo-rows.js';
import {ForeignKeyCatalog} from '../engine/undo/foreign-keys.js';
import {describeTarget, findRollbackTarget, type RollbackTarget} from '../engine/undo/rollback-target.js';

// Rollback (DESIGN.md §8) is a job like the others: its one batch source walks the undo journal of the target runs
// newest first, and the step runner gives it the lock, the checkpoint, the resume, the progress and the evidence.
// The `rollback` command and runbook step 10 are this job.

import {type RollbackParams, rollbackParameters} from './params/rollback.js';

export type {RollbackParams} from './params/rollback.js';

export const rollbackMetricNames = ['rows_deleted', 'rows_restored', 'files_restored', 'conflicts', 'already_absent'] as const;

const batchSize = 1000;

/** Fixed at the start and kept for a resume: the runs to undo and the newest journal id below which the walk goes. */
type SavedTarget = {readonly scope: string; readonly session: boolean; readonly runIds: readonly string[]; readonly topId: number; readonly pending: number};

type Context = JobContext<RollbackParams>;

const targets = new WeakMap<object, Promise<RollbackTarget | undefined>>();

/** The target, resolved once per step: the named run, the step's session, or the newest run with changes left. */
async function target(context: Context): Promise<RollbackTarget | undefined> {
	let found = targets.get(context);
	if (!found) {
		found = findRollbackTarget(context.database, context.params.run ?? context.session?.runId);
		targets.set(context, found);
	}

	return found;
}

function zeroMetrics(): Record<string, number> {
	return Object.fromEntries(rollbackMetricNames.map(name => [name, 0]));
}

export const rollbackJob: Job<RollbackParams> = {
	name: 'rollback',
	resumable: true,
	parameters: rollbackParameters as z.ZodType<RollbackParams>,
	// --overwrite-conflicts is the operator's answer to a failed attempt, not a different rollback: a retry resumes.
	semanticParams: params => ({run: params.run ?? null}),
	// A rollback run names what it undoes: the job run, or the runbook session.
	async parentRunOf(context) {
		return (await target(context))?.scope.runId ?? null;
	},
	async touches(context) {
		const found = await target(context);
		return found ? found.undo.tables : [];
	},
	async check(context): Promise<CheckResult> {
		// An unknown or non-execute --run is bad input (exit 2), thrown from here before anything is written.
		const found = await target(context);
		return {ok: true, checks: [{name: 'rollback target', ok: true, detail: found ? describeTarget(found) : 'nothing to undo'}]};
	},
	async plan(context): Promise<JobResult> {
		return walk(context, await fixTarget(context));
	},
	async execute(context): Promise<JobResult> {
		const fixed = await fixTarget(context);
		const result = await walk(context, fixed);
		if (!fixed) {
			return result;
		}

		const remaining = await undoScope(context.database.sql, fixed.runIds);
		const done = await fullyUndone(context.database.sql, fixed.runIds);
		await markRolledBack(context.database, done);
		if (remaining.pending > 0) {
			const left = await conflictsLeft(context, fixed);
			throw Object.assign(rollbackFailure(left).conclude().withRun({metrics: result.metrics, extra: {target_run: fixed.scope, conflicts: left}}), {result: {...result, details: {...result.details, conflicts: left}}});
		}

		return result;
	},
};

async function fixTarget(context: Context): Promise<SavedTarget | undefined> {
	const saved = context.checkpoint?.state.target as SavedTarget | undefined;
	if (saved) {
		return saved;
	}

	const found = await target(context);
	if (!found || found.undo.pending === 0) {
		return undefined;
	}

	const fixed: SavedTarget = {scope: found.scope.runId, session: found.session, runIds: found.runIds, topId: found.undo.topId, pending: found.undo.pending};
	await context.saveState({target: fixed});
	return fixed;
}

async function walk(context: Context, fixed: SavedTarget | undefined): Promise<JobResult> {
	if (!fixed) {
		context.warn('Nothing to undo: no execute run has changes left to roll back.');
		return {metrics: zeroMetrics(), details: {target_run: null, runs: []}};
	}

	const samples: RollbackConflict[] = [];
	const source = journalSource(context, fixed, samples);
	const result = await context.runBatches([source], {batchSize: context.params.batch, initialMetrics: zeroMetrics()});
	return {
		metrics: Object.fromEntries(rollbackMetricNames.map(name => [name, result.metrics[name] ?? 0])),
		samples: samples.slice(0, 20),
		batches: result.batches,
		details: {target_run: fixed.scope, session: fixed.session, runs: fixed.runIds, journal_top_id: fixed.topId},
	};
}

/**
 * The journal walked newest first as a keyset source: key k stands for journal id (top + 1 − k), so the runner's
 * ascending cursor walks ids downwards and a resume continues below the last committed batch.
 */
function journalSource(context: Context, fixed: SavedTarget, samples: RollbackConflict[]): BatchSource {
	const columnCache = new Map<string, Set<string>>();
	const foreignKeys = new ForeignKeyCatalog();
	const write = context.mode !== 'dry-run';
	const idOf = (key: number) => fixed.topId + 1 - key;
	return {
		name: 'runbook_undo',
		upperBound: fixed.topId,
		total: fixed.pending,
		async runBatch(tx, range) {
			const fetched = await fetchPending(tx, fixed.runIds, idOf(range.after), range.limit);
			const batch = cutAtRepeat(fetched);
			const {metrics, conflicts} = await undoBatch(tx, context, batch, {columnCache, foreignKeys}, write);
			samples.push(...conflicts.slice(0, Math.max(0, 20 - samples.length)));
			const exhausted = fetched.length < range.limit && batch.length === fetched.length;
			return {
				lastKey: exhausted || batch.length === 0 ? null : idOf(batch.at(-1)!.id),
				scanned: batch.length,
				written: metrics.rows_deleted! + metrics.rows_restored! + metrics.files_restored!,
				metrics,
				undo: [],
			};
		},
	};
}

type Catalogs = {readonly columnCache: Map<string, Set<string>>; readonly foreignKeys: ForeignKeyCatalog};

async function undoBatch(tx: Sql, context: Context, batch: readonly UndoRecord[], catalogs: Catalogs, write: boolean) {
	const overwrite = context.params.overwriteConflicts;
	const rows = await judgeRows(tx, batch, overwrite, catalogs.columnCache, catalogs.foreignKeys);
	const files = await judgeFiles(context.appRoot, batch, overwrite);
	const metrics: Record<string, number> = {...zeroMetrics(), conflicts: rows.conflicts.length + files.conflicts.length, already_absent: rows.alreadyAbsent};
	if (write) {
		const applied = await applyRows(tx, rows, context.recordSql);
		const filesDone = await applyFiles(files, context.recordSql);
		await markUndone(tx, [...rows.done, ...filesDone], new Date());
		Object.assign(metrics, {rows_deleted: applied.deleted, rows_restored: applied.restored, files_restored: files.restores.length + files.settled.length});
	}

	return {metrics, conflicts: [...rows.conflicts, ...files.conflicts]};
}

/** A batch must not touch the same row (or file) twice: its rows are compared before any is changed. */
function cutAtRepeat(batch: UndoRecord[]): UndoRecord[] {
	const seen = new Set<string>();
	for (const [index, record] of batch.entries()) {
		const key = `${record.action === 'file' ? 'file' : 'row'}:${record.table}:${record.rowId ?? ''}`;
		if (seen.has(key)) {
			return batch.slice(0, index);
		}

		seen.add(key);
	}

	return batch;
}

/** Every change still pending after the walk is a conflict left in place; judged again read-only to list both versions. */
async function conflictsLeft(context: Context, fixed: SavedTarget): Promise<RollbackConflict[]> {
	const sql = context.database.sql;
	const left: RollbackConflict[] = [];
	const columnCache = new Map<string, Set<string>>();
	const foreignKeys = new ForeignKeyCatalog();
	let below = fixed.topId + 1;
	for (;;) {
		const pending = await fetchPending(sql, fixed.runIds, below, batchSize);
		if (pending.length === 0) {
			return left;
		}

		// Judged with the rollback's own flag, so a referenced row kept under --overwrite-conflicts says so.
		const rows = await judgeRows(sql, pending, context.params.overwriteConflicts, columnCache, foreignKeys);
		const files = await judgeFiles(context.appRoot, pending, context.params.overwriteConflicts);
		left.push(...rows.conflicts, ...files.conflicts);
		below = pending.at(-1)!.id;
	}
}

async function fullyUndone(sql: Sql, runIds: readonly string[]): Promise<string[]> {
	const done: string[] = [];
	for (const runId of runIds) {
		const scope = await undoScope(sql, [runId]);
		if (scope.total > 0 && scope.pending === 0) {
			done.push(runId);
		}
	}

	return done;
}

/** Exit 5 with the first few conflicts in the message; all of them in the JSON document and the evidence. */
export function rollbackFailure(left: readonly RollbackConflict[]): RollbackFailed {
	const shown = left.slice(0, 3).map(conflict => describeConflict(conflict));
	const more = left.length > shown.length ? ` and ${left.length - shown.length} more` : '';
	const referenced = left.some(conflict => conflict.referenced_by);
	const changed = left.some(conflict => !conflict.referenced_by);
	const hint = [
		...(changed ? ['Review them (JSON `conflicts` / the evidence), then re-run rollback with --overwrite-conflicts to restore them anyway.'] : []),
		...(referenced ? ['A row other rows reference is never deleted, not even with --overwrite-conflicts (the delete would cascade into them): keep it, or deal with the referencing rows on the platform first, then re-run rollback.'] : []),
	].join(' ');
	return new RollbackFailed(`Rollback left ${left.length} conflict${left.length === 1 ? '' : 's'} (changed or referenced since the run): ${shown.join('; ')}${more}; everything else was undone.`, {hint, details: left});
}

export function describeConflict(conflict: RollbackConflict): string {
	const what = conflict.action === 'file' ? `file ${conflict.table}` : `${conflict.table} #${conflict.row_id ?? '?'}`;
	if (conflict.referenced_by) {
		const by = conflict.referenced_by.map(reference => `${reference.table}.${reference.column} (${reference.count} row${reference.count === 1 ? '' : 's'}${reference.ids.length > 0 ? `: #${reference.ids.join(', #')}` : ''})`).join(', ');
		return `${what} (${conflict.action}) is referenced by ${by}${conflict.resolution === 'kept-referenced' ? ', kept' : ''}`;
	}

	return conflict.now === null ? `${what} (${conflict.action}) is gone` : `${what} (${conflict.action}) differs from what run ${conflict.target_run} left`;
}
