import type {Sql} from '../db/sql.js';
import {insertRows} from './bulk-insert.js';
import {OperatorAborted} from '../core/errors.js';
import type {Clock, ThrottleProbe} from './ports.js';
import type {Progress} from './progress.js';
import {updateRun} from './run-record.js';
import {formatTimestamp} from '../core/timestamps.js';

/** What a batch changed, for rollback (DESIGN.md §4 runbook_undo), written in the batch's own transaction. */
export type UndoRow = {
	readonly table: string;
	readonly rowId: number | null;
	readonly action: 'insert' | 'update' | 'file';
	readonly before: unknown;
	readonly afterHash: string | null;
};

export type BatchOutcome = {
	/** The last key this batch covered (its keyset upper edge); null when the source has nothing left. */
	readonly lastKey: number | null;
	readonly scanned: number;
	readonly written: number;
	readonly metrics: Readonly<Record<string, number>>;
	readonly undo: readonly UndoRow[];
};

/**
 * One source walked by keyset over an integer key, up to a bound fixed at the start. `runBatch` does the batch's
 * set-based writes inside `tx`; the runner adds the undo rows, the batch row and the checkpoint to the same
 * transaction.
 */
export type BatchSource = {
	readonly name: string;
	readonly upperBound: number;
	/** Rows in the work set, for the progress bar and ETA. */
	readonly total: number;
	runBatch(tx: Sql, range: {readonly after: number; readonly limit: number; readonly upperBound: number}): Promise<BatchOutcome>;
};

export type BatchRunOptions = {
	readonly sql: Sql;
	readonly runId: string;
	readonly step: string;
	readonly sources: readonly BatchSource[];
	/** Resume point: last committed key per source. */
	readonly cursor: Readonly<Record<string, number>>;
	/** Metrics so far (resume) or the job's up-front metrics. */
	readonly metrics: Readonly<Record<string, number>>;
	/** Batches already committed (resume). */
	readonly batchesDone: number;
	readonly batchSize: number;
	readonly adaptive?: {readonly targetMs: number} | undefined;
	readonly signal: AbortSignal;
	readonly clock: Clock;
	readonly report: (progress: Progress) => void;
	readonly throttle?: ThrottleProbe | undefined;
	readonly onThrottle?: (reason: string, waitMs: number) => void;
	readonly onBatchSize?: (from: number, to: number) => void;
	/** Test hook: throw (as a crash would) right after this many batches committed in this process. */
	readonly crashAfterBatch?: number | undefined;
	readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
};

export type BatchRunResult = {
	readonly metrics: Record<string, number>;
	readonly cursor: Record<string, number>;
	readonly batches: Array<{seq: number; source: string; rows: number; durationMs: number; batchSize: number}>;
};

export const minBatch = 100;
export const maxBatch = 50_000;

/** Keyset batches, one transaction each, checkpointed; stops cleanly between batches when aborted. */
export async function runBatches(options: BatchRunOptions): Promise<BatchRunResult> {
	const {sql, runId, sources, clock, signal} = options;
	const metrics: Record<string, number> = {...options.metrics};
	const cursor: Record<string, number> = {...options.cursor};
	const batches: BatchRunResult['batches'] = [];
	const total = sources.reduce((sum, source) => sum + source.total, 0);
	const started = clock.now().getTime();
	let seq = options.batchesDone;
	let scannedThisProcess = 0;
	let batchSize = options.batchSize;
	const sleep = options.sleep ?? defaultSleep;

	for (const source of sources) {
		let after = cursor[source.name] ?? 0;
		while (after < source.upperBound) {
			if (signal.aborted) {
				throw new OperatorAborted('Stopped by the operator after the last committed batch.', {hint: 'Run the same command again to resume from the checkpoint.'});
			}

			await waitForThrottle(options, sleep);
			const batchStarted = clock.now().getTime();
			seq++;
			const outcome = await sql.transaction(async tx => {
				const result = await source.runBatch(tx, {after, limit: batchSize, upperBound: source.upperBound});
				const nextCursor = {...cursor, [source.name]: result.lastKey ?? source.upperBound};
				const nextMetrics = addMetrics(metrics, result.metrics);
				await insertRows(
					tx,
					'runbook_undo',
					['run_id', 'seq', 'table_name', 'row_id', 'action', 'before', 'after_hash'],
					result.undo.map(undo => [runId, seq, undo.table, undo.rowId, undo.action, typeof undo.before === 'string' ? undo.before : JSON.stringify(undo.before), undo.afterHash]),
				);
				const durationMs = clock.now().getTime() - batchStarted;
				await tx.run(
					'INSERT INTO runbook_batches (run_id, seq, source, first_key, last_key, batch_size, rows_scanned, rows_written, duration_ms, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
					[runId, seq, source.name, after + 1, result.lastKey ?? source.upperBound, batchSize, result.scanned, result.written, durationMs, formatTimestamp(clock.now())],
				);
				await updateRun(tx, runId, {cursor: nextCursor, metrics: nextMetrics, heartbeatAt: clock.now()});
				return {result, nextCursor, nextMetrics, durationMs};
			});
			Object.assign(cursor, outcome.nextCursor);
			Object.assign(metrics, outcome.nextMetrics);
			after = cursor[source.name]!;
			scannedThisProcess += outcome.result.scanned;
			batches.push({seq, source: source.name, rows: outcome.result.scanned, durationMs: outcome.durationMs, batchSize});
			const elapsedMs = clock.now().getTime() - started;
			const rowsPerSecond = elapsedMs > 0 ? (scannedThisProcess * 1000) / elapsedMs : 0;
			const done = progressOf(sources, cursor);
			options.report({
				source: source.name,
				batch: seq,
				batchSize,
				rowsScanned: done,
				rowsTotal: total,
				metrics: {...metrics},
				rowsPerSecond: Math.round(rowsPerSecond),
				etaMs: rowsPerSecond > 0 ? Math.max(0, Math.round(((total - done) / rowsPerSecond) * 1000)) : null,
				elapsedMs,
				throttle: null,
			});
			if (options.adaptive) {
				const next = adaptBatchSize(batchSize, outcome.durationMs, options.adaptive.targetMs);
				if (next !== batchSize) {
					options.onBatchSize?.(batchSize, next);
					batchSize = next;
				}
			}

			if (options.crashAfterBatch !== undefined && batches.length >= options.crashAfterBatch) {
				throw new Error(`crash injected after batch ${seq}`);
			}

			if (outcome.result.lastKey === null) {
				break;
			}
		}

	}

	return {metrics, cursor, batches};
}

/** Rows covered so far across sources, by key position (resumes included). */
function progressOf(sources: readonly BatchSource[], cursor: Record<string, number>): number {
	let done = 0;
	for (const source of sources) {
		const position = cursor[source.name] ?? 0;
		done += source.upperBound > 0 ? Math.round((Math.min(position, source.upperBound) / source.upperBound) * source.total) : 0;
	}

	return done;
}

/** ×1.2 when faster than the target, ×0.5 when slower, bounded 100..50,000 (DESIGN.md §6). */
export function adaptBatchSize(current: number, durationMs: number, targetMs: number): number {
	const next = durationMs > targetMs ? Math.floor(current * 0.5) : durationMs < targetMs ? Math.ceil(current * 1.2) : current;
	return Math.min(maxBatch, Math.max(minBatch, next));
}

export function addMetrics(base: Readonly<Record<string, number>>, delta: Readonly<Record<string, number>>): Record<string, number> {
	const sum: Record<string, number> = {...base};
	for (const [key, value] of Object.entries(delta)) {
		sum[key] = (sum[key] ?? 0) + value;
	}

	return sum;
}

async function waitForThrottle(options: BatchRunOptions, sleep: NonNullable<BatchRunOptions['sleep']>): Promise<void> {
	if (!options.throttle) {
		return;
	}

	let waitMs = 1000;
	for (;;) {
		const verdict = await options.throttle();
		if (!verdict.wait) {
			return;
		}

		options.onThrottle?.(verdict.reason ?? 'throttled', waitMs);
		await sleep(waitMs, options.signal);
		if (options.signal.aborted) {
			throw new OperatorAborted('Stopped by the operator while throttled.', {hint: 'Run the same command again to resume from the checkpoint.'});
		}

		waitMs = Math.min(waitMs * 2, 10_000);
	}
}

async function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
	await new Promise<void>(resolve => {
		const timer = setTimeout(resolve, ms);
		signal.addEventListener(
			'abort',
			() => {
				clearTimeout(timer);
				resolve();
			},
			{once: true},
		);
	});
}
