import {createHash, randomBytes, randomUUID} from 'node:crypto';
import {readFile, rename, rm, stat, writeFile} from 'node:fs/promises';
import {dirname, isAbsolute, join, relative, resolve, sep} from 'node:path';
import type {Database} from '../db/orm.js';
import {Sql} from '../db/sql.js';
import {canonicalJson, sha256} from '../core/canonical-json.js';
import {OperatorAborted, RollbackFailed, RunbookError, UsageError} from '../core/errors.js';
import type {Clock, EvidencePort, ProcessIdentity, TableSnapshot} from './ports.js';
import type {Progress} from './progress.js';
import {redactValue} from '../core/redact.js';
import {rowHash, trackedColumns} from './row-hash.js';
import {acquireRunLock} from './run-lock.js';
import {findRun, insertRun, type RunRow, updateRun} from './run-record.js';
import {formatTimestamp, isoSeconds} from '../core/timestamps.js';

// DESIGN.md §8: undo exactly what a run did, newest first, from runbook_undo. Each batch of undo rows is one
// transaction: the current rows are read in one SELECT per table, compared by rowHash with after_hash in TypeScript,
// inserted rows are deleted with one DELETE … IN, updated rows restored with one UPDATE … CASE per table, files put
// back atomically, and the undo rows marked `undone_at` — so a crash leaves a resumable checkpoint, and a second
// rollback finds nothing to undo.

export type RollbackMetrics = {
	rows_deleted: number;
	rows_restored: number;
	files_restored: number;
	conflicts: number;
	already_absent: number;
};

export const rollbackMetricNames = ['rows_deleted', 'rows_restored', 'files_restored', 'conflicts', 'already_absent'] as const;

export type UndoAction = 'insert' | 'update' | 'file';

/** A row (or file) that no longer looks as the run left it. */
export type RollbackConflict = {
	readonly target_run: string;
	readonly undo_id: number;
	readonly table: string;
	readonly row_id: number | null;
	readonly action: UndoAction;
	/** As the run left it: only its hash is known. */
	readonly as_left: {readonly after_hash: string | null};
	/** As it is now: the tracked columns (rows), or {exists, sha256} (files); null when the row is gone. */
	readonly now: Record<string, unknown> | null;
	/** What rollback would put back: the `before` values, or null when it would delete the row / file. */
	readonly would_restore: Record<string, unknown> | null;
	/** `left` (the default) or `overwritten` (--overwrite-conflicts). */
	readonly resolution: 'left' | 'overwritten';
};

export type RollbackRunOptions = {
	readonly database: Database;
	/** The run to undo; omitted → the newest execute run with undo rows not yet undone. */
	readonly runId?: string | undefined;
	readonly appRoot: string;
	readonly overwriteConflicts: boolean;
	readonly signal: AbortSignal;
	readonly clock: Clock;
	readonly self: ProcessIdentity;
	readonly report: (progress: Progress) => void;
	readonly warn: (message: string) => void;
	readonly recordSql: (statement: string, parameters?: readonly unknown[]) => void;
	/** Undo rows per transaction (default 1000). */
	readonly batchSize?: number;
	readonly breakLock?: boolean;
	readonly codeVersion?: string;
	/** The id for a new rollback run row (e.g. the evidence folder's); an interrupted one of the same target is continued instead. */
	readonly rollbackRunId?: string;
	/** Skip taking the run lock (the caller already holds it for this database). */
	readonly lockHeld?: boolean;
	/** Evidence: before/after snapshots of the touched tables and the step record. */
	readonly evidence?: {
		readonly port: EvidencePort;
		readonly step: {readonly number: number; readonly id: string; readonly title: string};
		readonly snapshot: (tables: readonly string[]) => Promise<TableSnapshot[]>;
		readonly decision?: {readonly by: string; readonly answer: string};
	};
	/** Engine events (lock takeover, run started), also appended to the evidence when given. */
	readonly emit?: (event: {readonly type: string; readonly [key: string]: unknown}) => void;
	/** Test hook: throw (as a crash would) after this many committed rollback batches. */
	readonly crashAfterBatch?: number | undefined;
};

export type RollbackRunResult = {
	readonly metrics: RollbackMetrics;
	readonly conflicts: RollbackConflict[];
	/** The run undone; null when there was nothing to undo at all. */
	readonly targetRunId: string | null;
	/** The runbook_runs row (mode rollback) of this rollback; null when nothing was to be undone. */
	readonly rollbackRunId: string | null;
	readonly nothingToDo: boolean;
	/** The target run was fully undone and is now `rolled-back`. */
	readonly complete: boolean;
	readonly target: RunRow | null;
	readonly tables: string[];
	readonly files: string[];
	readonly warnings: string[];
	readonly resumed: boolean;
};

export type RollbackRunsResult = {
	readonly metrics: RollbackMetrics;
	readonly conflicts: RollbackConflict[];
	readonly runs: RollbackRunResult[];
};

type UndoRecord = {
	readonly id: number;
	readonly seq: number;
	readonly table: string;
	readonly rowId: number | null;
	readonly action: UndoAction;
	readonly before: string | null;
	readonly afterHash: string | null;
};

const defaultBatchSize = 1000;
const maxSqlInEvidence = 50;
const identifier = /^[A-Za-z_][\w]*$/;

export function emptyRollbackMetrics(): RollbackMetrics {
	return {rows_deleted: 0, rows_restored: 0, files_restored: 0, conflicts: 0, already_absent: 0};
}

/**
 * The run a plain `rollback` undoes: the given one (UsageError when unknown or not an execute run), else the newest
 * execute run with undo rows not yet undone (undefined when there is none).
 */
export async function findRollbackTarget(sql: Sql, runId?: string): Promise<RunRow | undefined> {
	if (runId !== undefined) {
		const run = await findRun(sql, runId);
		if (!run) {
			throw new UsageError(`Run ${runId} was not found in runbook_runs.`, {hint: 'Pick a run id from `community-runbook status`.'});
		}

		if (run.mode !== 'execute') {
			throw new UsageError(`Run ${runId} is a ${run.mode} run; only execute runs change data and can be rolled back.`, {
				hint: 'Pick an execute run from `community-runbook status`.',
			});
		}

		return run;
	}

	const row = await sql.get<{run_id: string}>(
		`SELECT r.run_id FROM runbook_runs r WHERE r.mode = 'execute' AND EXISTS (SELECT 1 FROM runbook_undo u WHERE u.run_id = r.run_id AND u.undone_at IS NULL) ORDER BY r.id DESC LIMIT 1`,
	);
	return row ? findRun(sql, String(row.run_id)) : undefined;
}

/** Tables (and files) a run's undo rows name, for snapshots and the announcement. */
export async function undoScope(sql: Sql, runId: string): Promise<{tables: string[]; files: string[]; pending: number; total: number}> {
	const rows = await sql.all<{table_name: string; action: string; pending: unknown; total: unknown}>(
		'SELECT table_name, action, SUM(CASE WHEN undone_at IS NULL THEN 1 ELSE 0 END) AS pending, COUNT(*) AS total FROM runbook_undo WHERE run_id = ? GROUP BY table_name, action',
		[runId],
	);
	const tables = new Set<string>();
	const files = new Set<string>();
	let pending = 0;
	let total = 0;
	for (const row of rows) {
		(row.action === 'file' ? files : tables).add(String(row.table_name));
		pending += Number(row.pending ?? 0);
		total += Number(row.total ?? 0);
	}

	return {tables: [...tables].sort(), files: [...files].sort(), pending, total};
}

/** `Rolling back run <id> (<job>, started …)`. */
export function describeTarget(run: RunRow): string {
	return `Rolling back run ${run.runId} (${run.job}, started ${run.startedAt} UTC, ${run.status})`;
}

/** Undoes one run (DESIGN.md §8). Conflicts are returned, not thrown: see `rollbackFailure`. */
export async function rollbackRun(options: RollbackRunOptions): Promise<RollbackRunResult> {
	const target = await findRollbackTarget(options.database.sql, options.runId);
	if (!target) {
		return nothingResult(null);
	}

	const result = await rollbackRuns({...options, runIds: [target.runId]});
	return result.runs[0]!;
}

/**
 * Undoes several runs (one runbook session), newest first (by runbook_runs order, whatever the order given). Each
 * target gets its own rollback run row; evidence (when given) gets one before/after snapshot pair and one step record.
 */
export async function rollbackRuns(options: Omit<RollbackRunOptions, 'runId'> & {readonly runIds: readonly string[]}): Promise<RollbackRunsResult> {
	const {database, clock} = options;
	const targets: RunRow[] = [];
	for (const runId of new Set(options.runIds)) {
		targets.push((await findRollbackTarget(database.sql, runId))!);
	}

	const order = await runOrder(database.sql, targets.map(run => run.runId));
	targets.sort((a, b) => (order.get(b.runId) ?? 0) - (order.get(a.runId) ?? 0));
	const scopes = await Promise.all(targets.map(async run => undoScope(database.sql, run.runId)));
	const tables = [...new Set(scopes.flatMap(scope => scope.tables))].sort();
	const started = clock.now();
	// The evidence keeps the first statements in full (ids and values); a big rollback only counts the rest.
	const sqlLog: Array<{statement: string; parameters: readonly unknown[]}> = [];
	let sqlOmitted = 0;
	const recordSql = (statement: string, parameters: readonly unknown[] = []) => {
		if (sqlLog.length < maxSqlInEvidence) {
			sqlLog.push({statement, parameters});
		} else {
			sqlOmitted++;
		}

		options.recordSql(statement, parameters);
	};

	const evidence = options.evidence;
	const emit = (event: {readonly type: string; readonly [key: string]: unknown}) => {
		options.emit?.(event);
		void evidence?.port.appendEvent({step: evidence.step.id, type: event.type, data: {...event, type: undefined}}).catch(() => undefined);
	};

	const anyPending = scopes.some(scope => scope.pending > 0);
	if (evidence && anyPending) {
		await evidence.port.writeSnapshot(evidence.step.number, evidence.step.id, 'before', await evidence.snapshot(tables));
	}

	const runs: RollbackRunResult[] = [];
	let failure: unknown;
	try {
		for (const [index, target] of targets.entries()) {
			const report = (progress: Progress) => {
				options.report(progress);
				void evidence?.port.appendEvent({step: evidence.step.id, type: 'step-progress', data: {target_run: target.runId, progress}}).catch(() => undefined);
			};
			runs.push(await undoOneRun({...options, recordSql, emit, report}, target, scopes[index]!));
		}
	} catch (error) {
		failure = error;
	}

	const metrics = sumMetrics(runs.map(run => run.metrics));
	const conflicts = runs.flatMap(run => run.conflicts);
	if (evidence) {
		const finished = clock.now();
		try {
			if (anyPending) {
				await evidence.port.writeSnapshot(evidence.step.number, evidence.step.id, 'after', await evidence.snapshot(tables));
			}
		} catch {
			// The database may be what failed; the undo marks of committed batches stand.
		}

		const error = failure instanceof RunbookError ? {code: failure.exitCode, message: failure.message, hint: failure.hint ?? null} : failure ? {code: 1, message: String((failure as Error).message ?? failure), hint: null} : null;
		const left = conflicts.filter(conflict => conflict.resolution === 'left');
		await evidence.port.writeStep(evidence.step.number, evidence.step.id, {
			step: evidence.step.id,
			number: evidence.step.number,
			title: evidence.step.title,
			job: 'rollback',
			mode: 'rollback',
			status: failure ? (failure instanceof OperatorAborted ? 'aborted' : 'failed') : left.length > 0 ? 'failed' : 'succeeded',
			decision: {...(evidence.decision ?? {by: 'command', answer: 'run'}), at: isoSeconds(started)},
			params: {target_runs: targets.map(run => run.runId), overwrite_conflicts: options.overwriteConflicts},
			run_id: runs.at(-1)?.rollbackRunId ?? null,
			runs: runs.map(run => ({target_run: run.targetRunId, job: run.target?.job ?? null, rollback_run: run.rollbackRunId, metrics: run.metrics, complete: run.complete, nothing_to_do: run.nothingToDo, resumed: run.resumed, tables: run.tables, files: run.files})),
			metrics,
			conflicts: redactValue(conflicts),
			warnings: runs.flatMap(run => run.warnings),
			sql: sqlLog,
			sql_omitted: sqlOmitted,
			started_at: started.toISOString(),
			finished_at: finished.toISOString(),
			duration_ms: finished.getTime() - started.getTime(),
			error,
		});
		await evidence.port.flush();
	}

	if (failure) {
		throw failure;
	}

	return {metrics, conflicts, runs};
}

/** The error a caller throws when conflicts were left: exit 5, the first few in the message, all in `extra`. */
export function rollbackFailure(result: {readonly metrics: RollbackMetrics; readonly conflicts: readonly RollbackConflict[]}, context: {runId?: string | null; evidenceDir?: string | null} = {}): RollbackFailed & {extra: Record<string, unknown>; metrics: RollbackMetrics} {
	const left = result.conflicts.filter(conflict => conflict.resolution === 'left');
	const shown = left.slice(0, 3).map(conflict => describeConflict(conflict));
	const more = left.length > shown.length ? ` and ${left.length - shown.length} more` : '';
	const error = new RollbackFailed(`Rollback left ${left.length} conflict${left.length === 1 ? '' : 's'} (changed since the run): ${shown.join('; ')}${more}; everything else was undone.`, {
		hint: 'Review them (JSON extra.conflicts / the evidence), then re-run rollback with --overwrite-conflicts to restore them anyway.',
		details: left,
	});
	return Object.assign(error, {
		extra: {conflicts: left},
		metrics: result.metrics,
		...(context.runId ? {runId: context.runId} : {}),
		...(context.evidenceDir ? {evidenceDir: context.evidenceDir} : {}),
	});
}

export function describeConflict(conflict: RollbackConflict): string {
	const what = conflict.action === 'file' ? `file ${conflict.table}` : `${conflict.table} #${conflict.row_id ?? '?'}`;
	if (conflict.now === null) {
		return `${what} (${conflict.action}) is gone`;
	}

	return `${what} (${conflict.action}) differs from what run ${conflict.target_run} left`;
}

// ---------------------------------------------------------------------------------------------------------------

type Internal = Omit<RollbackRunOptions, 'runId'> & {readonly emit: (event: {readonly type: string; readonly [key: string]: unknown}) => void};

async function undoOneRun(options: Internal, target: RunRow, scope: {tables: string[]; files: string[]; pending: number; total: number}): Promise<RollbackRunResult> {
	const {database, clock, signal} = options;
	const {sql} = database;
	const warnings: string[] = [];
	const warn = (message: string) => {
		warnings.push(message);
		options.warn(message);
	};

	if (scope.pending === 0) {
		if (scope.total > 0 && target.status !== 'rolled-back') {
			await updateRun(sql, target.runId, {status: 'rolled-back'});
		}

		return {...nothingResult(target), tables: scope.tables, files: scope.files};
	}

	// A rollback of the same target that did not finish (crash, conflicts) is continued under its own run id.
	const unfinished = await findUnfinishedRollback(sql, target.runId);
	const rollbackRunId = unfinished?.runId ?? options.rollbackRunId ?? randomUUID();
	const lock = options.lockHeld ? undefined : await acquireRunLock(database, rollbackRunId, options.self, clock, {breakLock: options.breakLock});
	if (lock?.takeover) {
		warn(`Took over the lock of run ${lock.takeover.previous.runId} (${lock.takeover.previous.host}, pid ${lock.takeover.previous.pid}): ${lock.takeover.reason}.`);
		options.emit({type: 'lock-taken-over', reason: lock.takeover.reason, previous: lock.takeover.previous});
	}

	let heartbeat: NodeJS.Timeout | undefined;
	const metrics = emptyRollbackMetrics();
	let batchesDone = 0;
	try {
		if (unfinished) {
			Object.assign(metrics, pickMetrics(unfinished.metrics), {conflicts: 0});
			batchesDone = Number((await sql.get<{n: unknown}>('SELECT MAX(seq) AS n FROM runbook_batches WHERE run_id = ?', [rollbackRunId]))?.n ?? 0);
			await updateRun(sql, rollbackRunId, {status: 'running', host: options.self.host, pid: options.self.pid, heartbeatAt: clock.now(), finishedAt: null});
			options.emit({type: 'rollback-resumed', run_id: rollbackRunId, target_run: target.runId});
		} else {
			const params = {target_run: target.runId};
			await insertRun(sql, {
				runId: rollbackRunId,
				job: 'rollback',
				params: {...params, overwrite_conflicts: options.overwriteConflicts},
				paramsHash: sha256(canonicalJson({job: 'rollback', ...params})),
				codeVersion: options.codeVersion ?? 'rollback',
				mode: 'rollback',
				host: options.self.host,
				pid: options.self.pid,
				startedAt: clock.now(),
			});
			options.emit({type: 'rollback-started', run_id: rollbackRunId, target_run: target.runId, job: target.job});
		}
	} catch (error) {
		await lock?.release().catch(() => undefined);
		throw error;
	}

	if (lock) {
		heartbeat = setInterval(() => {
			void lock.heartbeat().catch(() => undefined);
		}, 10_000);
		heartbeat.unref?.();
	}

	const conflicts: RollbackConflict[] = [];
	const columnCache = new Map<string, Set<string>>();
	const batchSize = options.batchSize ?? defaultBatchSize;
	const started = clock.now().getTime();
	let cursor: {seq: number; id: number} | undefined;
	let processed = 0;
	let batchesThisProcess = 0;
	let failure: unknown;
	try {
		for (;;) {
			if (signal.aborted) {
				throw new OperatorAborted('Rollback stopped by the operator after the last committed batch.', {hint: 'Run the same rollback again to continue where it stopped.'});
			}

			const batchStarted = clock.now().getTime();
			const outcome = await sql.transaction(async tx => {
				const fetched = await fetchUndoBatch(tx, target.runId, cursor, batchSize);
				if (fetched.length === 0) {
					return undefined;
				}

				const batch = cutAtRepeat(fetched);
				const seq = batchesDone + 1;
				const delta = emptyRollbackMetrics();
				const done: number[] = [];
				const found: RollbackConflict[] = [];
				await undoTables(tx, options, target.runId, batch, delta, done, found, columnCache, warn);
				await undoFiles(options, target.runId, batch, delta, done, found);
				if (done.length > 0) {
					const statement = `UPDATE runbook_undo SET undone_at = ? WHERE id IN (${Sql.placeholders(done.length)})`;
					await tx.run(statement, [formatTimestamp(clock.now()), ...done]);
				}

				const next = addInto({...metrics}, delta);
				const last = batch.at(-1)!;
				await tx.run(
					'INSERT INTO runbook_batches (run_id, seq, source, first_key, last_key, batch_size, rows_scanned, rows_written, duration_ms, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
					[rollbackRunId, seq, 'runbook_undo', batch[0]!.id, last.id, batchSize, batch.length, delta.rows_deleted + delta.rows_restored + delta.files_restored, clock.now().getTime() - batchStarted, formatTimestamp(clock.now())],
				);
				await updateRun(tx, rollbackRunId, {metrics: next, cursor: {runbook_undo: last.id}, heartbeatAt: clock.now()});
				return {batch, delta, found, seq, last};
			});
			if (!outcome) {
				break;
			}

			batchesDone = outcome.seq;
			batchesThisProcess++;
			addInto(metrics, outcome.delta);
			conflicts.push(...outcome.found);
			cursor = {seq: outcome.last.seq, id: outcome.last.id};
			processed += outcome.batch.length;
			const elapsedMs = clock.now().getTime() - started;
			const rate = elapsedMs > 0 ? Math.round((processed * 1000) / elapsedMs) : 0;
			options.report({
				source: 'runbook_undo',
				batch: outcome.seq,
				batchSize,
				rowsScanned: processed,
				rowsTotal: scope.pending,
				metrics: {...metrics},
				rowsPerSecond: rate,
				etaMs: rate > 0 ? Math.max(0, Math.round(((scope.pending - processed) / rate) * 1000)) : null,
				elapsedMs,
				throttle: null,
			});
			if (options.crashAfterBatch !== undefined && batchesThisProcess >= options.crashAfterBatch) {
				throw new Error(`crash injected after rollback batch ${outcome.seq}`);
			}
		}
	} catch (error) {
		failure = error;
	}

	if (heartbeat) clearInterval(heartbeat);
	let complete = false;
	try {
		if (failure) {
			await updateRun(sql, rollbackRunId, {status: failure instanceof OperatorAborted ? 'aborted' : 'failed', heartbeatAt: clock.now(), metrics});
		} else {
			const remaining = await undoScope(sql, target.runId);
			complete = remaining.pending === 0;
			const now = clock.now();
			// Finished either way (conflicts left → failed, but finished): a retry is a new rollback run.
			await updateRun(sql, rollbackRunId, {status: complete ? 'succeeded' : 'failed', metrics, finishedAt: now, heartbeatAt: now});
			if (complete) {
				await updateRun(sql, target.runId, {status: 'rolled-back'});
			}
		}
	} catch (error) {
		failure ??= error;
	} finally {
		await lock?.release().catch(() => undefined);
	}

	if (failure) {
		throw Object.assign(failure as object, {runId: rollbackRunId, metrics});
	}

	return {metrics, conflicts, targetRunId: target.runId, rollbackRunId, nothingToDo: false, complete, target, tables: scope.tables, files: scope.files, warnings, resumed: unfinished !== undefined};
}

/** The run id the next rollback of this target will use: the interrupted one's, else a new one. */
export async function nextRollbackRunId(sql: Sql, targetRunId: string): Promise<string> {
	return (await findUnfinishedRollback(sql, targetRunId))?.runId ?? randomUUID();
}

async function findUnfinishedRollback(sql: Sql, targetRunId: string): Promise<RunRow | undefined> {
	// Interrupted (crash, lost connection, Ctrl-C) rollbacks have no finished_at; one that finished with conflicts has.
	const rows = await sql.all<{run_id: string}>(`SELECT run_id FROM runbook_runs WHERE job = 'rollback' AND mode = 'rollback' AND status IN ('running', 'failed', 'aborted') AND finished_at IS NULL ORDER BY id DESC`);
	for (const row of rows) {
		const run = await findRun(sql, String(row.run_id)).catch(() => undefined);
		if (run?.params.target_run === targetRunId) {
			return run;
		}
	}

	return undefined;
}

async function fetchUndoBatch(tx: Sql, runId: string, cursor: {seq: number; id: number} | undefined, limit: number): Promise<UndoRecord[]> {
	const keyset = cursor ? ' AND (seq < ? OR (seq = ? AND id < ?))' : '';
	const rows = await tx.all<Record<string, unknown>>(
		`SELECT id, seq, table_name, row_id, action, \`before\`, after_hash FROM runbook_undo WHERE run_id = ? AND undone_at IS NULL${keyset} ORDER BY seq DESC, id DESC LIMIT ?`,
		[runId, ...(cursor ? [cursor.seq, cursor.seq, cursor.id] : []), limit],
	);
	return rows.map(row => ({
		id: Number(row.id),
		seq: Number(row.seq),
		table: String(row.table_name),
		rowId: row.row_id === null || row.row_id === undefined ? null : Number(row.row_id),
		action: String(row.action) as UndoAction,
		before: row.before === null || row.before === undefined ? null : String(row.before),
		afterHash: row.after_hash === null || row.after_hash === undefined ? null : String(row.after_hash),
	}));
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

async function undoTables(
	tx: Sql,
	options: Internal,
	targetRunId: string,
	batch: readonly UndoRecord[],
	delta: RollbackMetrics,
	done: number[],
	found: RollbackConflict[],
	columnCache: Map<string, Set<string>>,
	warn: (message: string) => void,
): Promise<void> {
	const byTable = new Map<string, UndoRecord[]>();
	for (const record of batch) {
		if (record.action === 'file') {
			continue;
		}

		if (record.action !== 'insert' && record.action !== 'update') {
			throw new RollbackFailed(`runbook_undo row ${record.id} has an unknown action "${String(record.action)}".`, {hint: 'The undo log is damaged; restore from the backup taken before the run.'});
		}

		byTable.set(record.table, [...(byTable.get(record.table) ?? []), record]);
	}

	for (const [table, records] of byTable) {
		if (!identifier.test(table) || !trackedColumns[table]) {
			throw new RollbackFailed(`runbook_undo names a table the tool never writes: "${table}".`, {hint: 'The undo log is damaged; restore from the backup taken before the run.'});
		}

		const columns = await tableColumns(tx, table, columnCache);
		const ids = [...new Set(records.map(record => record.rowId).filter((id): id is number => id !== null))];
		const current = new Map<number, Record<string, unknown>>();
		if (ids.length > 0) {
			const statement = `SELECT * FROM ${table} WHERE id IN (${Sql.placeholders(ids.length)})`;
			for (const row of await tx.all<Record<string, unknown>>(statement, ids)) {
				current.set(Number(row.id), row);
			}
		}

		const deletes: number[] = [];
		const restores: Array<{id: number; values: Record<string, unknown>}> = [];
		for (const record of records) {
			const row = record.rowId === null ? undefined : current.get(record.rowId);
			const conflict = (now: Record<string, unknown> | null, wouldRestore: Record<string, unknown> | null): RollbackConflict => ({
				target_run: targetRunId,
				undo_id: record.id,
				table,
				row_id: record.rowId,
				action: record.action,
				as_left: {after_hash: record.afterHash},
				now,
				would_restore: wouldRestore,
				resolution: options.overwriteConflicts ? 'overwritten' : 'left',
			});
			if (record.action === 'insert') {
				if (!row) {
					delta.already_absent++;
					done.push(record.id);
				} else if (rowHash(table, row) === record.afterHash) {
					deletes.push(record.rowId!);
					done.push(record.id);
				} else {
					delta.conflicts++;
					found.push(conflict(visible(table, row), null));
					if (options.overwriteConflicts) {
						deletes.push(record.rowId!);
						done.push(record.id);
					}
				}

				continue;
			}

			const before = parseBefore(record);
			for (const column of Object.keys(before)) {
				if (!identifier.test(column) || !columns.has(column) || column === 'id') {
					throw new RollbackFailed(`runbook_undo row ${record.id} restores a column ${table}.${column} that does not exist.`, {hint: 'The undo log does not match this database; check --database-url.'});
				}
			}

			if (!row) {
				delta.conflicts++;
				found.push(conflict(null, before));
				if (options.overwriteConflicts) {
					// Nothing is left to restore: the row was deleted since the run.
					delta.already_absent++;
					done.push(record.id);
					warn(`${table} #${record.rowId ?? '?'} was deleted after run ${targetRunId}; there is nothing to restore.`);
				}

				continue;
			}

			const hash = rowHash(table, row);
			if (hash === record.afterHash) {
				restores.push({id: record.rowId!, values: before});
				done.push(record.id);
			} else if (hash === rowHash(table, {...row, ...before})) {
				// Already as it was before the run (restored by hand, or by an earlier attempt): nothing to write.
				done.push(record.id);
			} else {
				delta.conflicts++;
				found.push(conflict(visible(table, row), before));
				if (options.overwriteConflicts) {
					restores.push({id: record.rowId!, values: before});
					done.push(record.id);
				}
			}
		}

		if (deletes.length > 0) {
			const statement = `DELETE FROM ${table} WHERE id IN (${Sql.placeholders(deletes.length)})`;
			const result = await tx.run(statement, deletes);
			options.recordSql(statement, deletes);
			delta.rows_deleted += result.affectedRows;
		}

		if (restores.length > 0) {
			const {statement, parameters} = restoreStatement(table, restores);
			await tx.run(statement, parameters);
			options.recordSql(statement, parameters);
			delta.rows_restored += restores.length;
		}
	}
}

/** One UPDATE per table: `col = CASE id WHEN ? THEN ? … ELSE col END` for every restored column. */
export function restoreStatement(table: string, restores: ReadonlyArray<{id: number; values: Record<string, unknown>}>): {statement: string; parameters: unknown[]} {
	const columns = [...new Set(restores.flatMap(restore => Object.keys(restore.values)))].sort();
	const parameters: unknown[] = [];
	const assignments = columns.map(column => {
		const cases = restores.filter(restore => Object.hasOwn(restore.values, column));
		for (const restore of cases) {
			parameters.push(restore.id, restore.values[column] ?? null);
		}

		return `${column} = CASE id ${cases.map(() => 'WHEN ? THEN ?').join(' ')} ELSE ${column} END`;
	});
	const ids = restores.map(restore => restore.id);
	parameters.push(...ids);
	return {statement: `UPDATE ${table} SET ${assignments.join(', ')} WHERE id IN (${Sql.placeholders(ids.length)})`, parameters};
}

async function undoFiles(options: Internal, targetRunId: string, batch: readonly UndoRecord[], delta: RollbackMetrics, done: number[], found: RollbackConflict[]): Promise<void> {
	for (const record of batch) {
		if (record.action !== 'file') {
			continue;
		}

		const path = resolveAppFile(options.appRoot, record.table);
		const before = fileBefore(record.before);
		const now = await readOptional(path);
		const nowHash = now === null ? null : sha256Bytes(now);
		const beforeHash = before === null ? null : sha256Bytes(Buffer.from(before, 'utf8'));
		const restore = async () => {
			await writeAtomically(path, before);
			options.recordSql(`-- file ${record.table}: ${before === null ? 'delete' : `restore ${Buffer.byteLength(before)} bytes`}`);
			delta.files_restored++;
			done.push(record.id);
		};

		if (nowHash !== null && nowHash === record.afterHash) {
			await restore();
		} else if (nowHash === beforeHash) {
			// Already back to its previous content (an earlier attempt renamed it before its batch could commit).
			delta.files_restored++;
			done.push(record.id);
		} else {
			delta.conflicts++;
			found.push({
				target_run: targetRunId,
				undo_id: record.id,
				table: record.table,
				row_id: record.rowId,
				action: 'file',
				as_left: {after_hash: record.afterHash},
				now: now === null ? null : {exists: true, sha256: nowHash, content: now.toString('utf8')},
				would_restore: before === null ? null : {content: before},
				resolution: options.overwriteConflicts ? 'overwritten' : 'left',
			});
			if (options.overwriteConflicts) {
				await restore();
			}
		}
	}
}

/** An undo row's file path is relative to the app root and must stay inside it. */
export function resolveAppFile(appRoot: string, name: string): string {
	const root = resolve(appRoot);
	const path = isAbsolute(name) ? resolve(name) : resolve(root, name);
	const inside = relative(root, path);
	if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
		throw new RollbackFailed(`runbook_undo names a file outside the app root: ${name}.`, {hint: 'Run rollback with the same --app-root as the run.'});
	}

	return path;
}

/**
 * The previous content of a file undo row. The batch runner stores a string `before` as is and null as `null`; a job
 * writing its own undo rows may store JSON.stringify(content). Flag files are JSON objects, so: SQL NULL or `null` →
 * the file did not exist; a JSON string literal → its value; anything else → the text itself.
 */
export function fileBefore(stored: string | null): string | null {
	if (stored === null || stored === 'null') {
		return null;
	}

	try {
		const parsed: unknown = JSON.parse(stored);
		if (typeof parsed === 'string') {
			return parsed;
		}
	} catch {}

	return stored;
}

async function readOptional(path: string): Promise<Buffer | null> {
	try {
		return await readFile(path);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return null;
		}

		throw error;
	}
}

/** Temp file in the same folder + rename (atomic for readers); null content → remove the file. */
export async function writeAtomically(path: string, content: string | null): Promise<void> {
	if (content === null) {
		await rm(path, {force: true});
		return;
	}

	const mode = await stat(path).then(
		stats => stats.mode & 0o777,
		() => 0o644,
	);
	const temporary = join(dirname(path), `.${randomBytes(6).toString('hex')}.rollback.tmp`);
	try {
		await writeFile(temporary, content, {mode, flush: true});
		await rename(temporary, path);
	} catch (error) {
		await rm(temporary, {force: true}).catch(() => undefined);
		throw error;
	}
}

function sha256Bytes(content: Buffer): string {
	return createHash('sha256').update(content).digest('hex');
}

function parseBefore(record: UndoRecord): Record<string, unknown> {
	try {
		const parsed: unknown = record.before === null ? null : JSON.parse(record.before);
		if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
			return parsed as Record<string, unknown>;
		}
	} catch {}

	throw new RollbackFailed(`runbook_undo row ${record.id} (${record.table} #${record.rowId ?? '?'}, update) has no readable \`before\` values.`, {
		hint: 'The undo log is damaged; restore this row from the backup taken before the run.',
	});
}

/** A row as shown in a conflict: its tracked columns plus updated_at. */
function visible(table: string, row: Record<string, unknown>): Record<string, unknown> {
	const columns = [...(trackedColumns[table] ?? []), 'updated_at'];
	return Object.fromEntries(columns.filter(column => Object.hasOwn(row, column)).map(column => [column, row[column] ?? null]));
}

async function tableColumns(tx: Sql, table: string, cache: Map<string, Set<string>>): Promise<Set<string>> {
	let columns = cache.get(table);
	if (!columns) {
		const rows =
			tx.dialect === 'sqlite'
				? await tx.all<{name: string}>('SELECT name FROM pragma_table_info(?)', [table])
				: await tx.all<{name: string}>('SELECT COLUMN_NAME AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?', [table]);
		columns = new Set(rows.map(row => String(row.name)));
		if (columns.size === 0) {
			throw new RollbackFailed(`Table ${table} named in runbook_undo does not exist in this database.`, {hint: 'Check --database-url: rollback must run against the database the run changed.'});
		}

		cache.set(table, columns);
	}

	return columns;
}

async function runOrder(sql: Sql, runIds: readonly string[]): Promise<Map<string, number>> {
	if (runIds.length === 0) {
		return new Map();
	}

	const rows = await sql.all<{id: unknown; run_id: string}>(`SELECT id, run_id FROM runbook_runs WHERE run_id IN (${Sql.placeholders(runIds.length)})`, runIds);
	return new Map(rows.map(row => [String(row.run_id), Number(row.id)]));
}

function pickMetrics(source: Readonly<Record<string, unknown>>): Partial<RollbackMetrics> {
	return Object.fromEntries(rollbackMetricNames.map(name => [name, Number(source[name] ?? 0)]));
}

function addInto(target: RollbackMetrics, delta: Readonly<RollbackMetrics>): RollbackMetrics {
	for (const name of rollbackMetricNames) {
		target[name] += delta[name];
	}

	return target;
}

function sumMetrics(list: readonly RollbackMetrics[]): RollbackMetrics {
	return list.reduce((sum, metrics) => addInto(sum, metrics), emptyRollbackMetrics());
}

function nothingResult(target: RunRow | null): RollbackRunResult {
	return {metrics: emptyRollbackMetrics(), conflicts: [], targetRunId: target?.runId ?? null, rollbackRunId: null, nothingToDo: true, complete: target !== null, target, tables: [], files: [], warnings: [], resumed: false};
}
