import {OperatorAborted} from '../core/errors.js';
import type {Clock} from '../core/identity.js';
import {recordBatch} from '../db/bookkeeping/batches.js';
import {checkpointRun} from '../db/bookkeeping/runs.js';
import {appendUndo, type UndoRow} from '../db/bookkeeping/undo-journal.js';
import type {Sql} from '../db/sql.js';
import type {ThrottleProbe} from './ports.js';
import type {Progress} from './progress.js';

export type {UndoRow} from '../db/bookkeeping/undo-journal.js';

export type BatchOutcome = {
	/** The last key this batch covered (its keyset upper edge); null when the source has nothing left. */
	readonly lastKey: number | null;
	readonly scanned: number;
	readonly written: number;
	readonly metrics: Readonly<Record<string, number>>;
	readonly undo: readonly UndoRow[];
};

export type BatchRange = {readonly after: number; readonly limit: number; readonly upperBound: number};

/**
 * A batch whose reads are done: `lastKey` is its keyset upper edge (null: the source has nothing after it), and
 * `write` does its writes inside the batch's transaction (in a dry run: on the plain connection, writing nothing).
 */
export type ReadBatch = {
	readonly lastKey: number | null;
	write(tx: Sql): Promise<BatchOutcome>;
};

/**
 * One source walked by keyset over an integer key, up to a bound fixed at the start. `runBatch` does the batch's
 * set-based writes inside `tx`; the runner adds the undo rows, the batch row and the checkpoint to the same
 * transaction. In a dry run `runBatch` gets the plain connection and must not write.
 *
 * A source may instead split a batch into `read` (its SELECTs and the work on their rows, outside the transaction)
 * and the returned `write`: then, given a reader connection, the runner reads batch k+1 while batch k writes and
 * commits. Only for sources whose batches read nothing an earlier batch writes (disjoint keyset ranges, keys derived
 * from the source row), since the read does not see the previous batch's uncommitted rows.
 */
export type BatchSource = {
	readonly name: string;
	readonly upperBound: number;
	/** Rows in the work set, for the progress bar and ETA. */
	readonly total: number;
} & ({runBatch(tx: Sql, range: BatchRange): Promise<BatchOutcome>; readonly read?: undefined} | {read(sql: Sql, range: BatchRange): Promise<ReadBatch>; readonly runBatch?: undefined});

/** Told about every committed batch; tests inject a crash here (the CLI never does). */
export type BatchObserver = (batch: {readonly seq: number; readonly committedThisProcess: number}) => void;

export type BatchRunOptions = {
	readonly sql: Sql;
	/**
	 * A second connection for the reads of a source with `read`, used while `sql` holds the previous batch's
	 * transaction. Without it (or in a dry run) reads and writes take turns on `sql`.
	 */
	readonly reader?: Sql | undefined;
	readonly runId: string;
	readonly sources: readonly BatchSource[];
	/** Resume point: last committed key per source. */
	readonly cursor: Readonly<Record<string, number>>;
	/** Metrics so far (resume) or the job's up-front metrics. */
	readonly metrics: Readonly<Record<string, number>>;
	/** Batches already committed (resume). */
	readonly batchesDone: number;
	readonly batchSize: number;
	/** A dry run: no transaction, no undo rows, no batch rows, no checkpoint. */
	readonly readOnly?: boolean;
	readonly adaptive?: {readonly targetMs: number} | undefined;
	readonly signal: AbortSignal;
	readonly clock: Clock;
	readonly report: (progress: Progress) => void;
	readonly throttle?: ThrottleProbe | undefined;
	readonly onThrottle?: (reason: string, waitMs: number) => void;
	readonly onBatchSize?: (from: number, to: number) => void;
	readonly afterBatch?: BatchObserver | undefined;
	readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
};

export type BatchFigures = {readonly seq: number; readonly source: string; readonly rows: number; readonly durationMs: number; readonly batchSize: number};

export type BatchRunResult = {
	readonly metrics: Record<string, number>;
	readonly cursor: Record<string, number>;
	readonly batches: BatchFigures[];
};

export const minBatch = 100;
export const maxBatch = 50_000;

/** Keyset batches, one transaction each, checkpointed; stops cleanly between batches when aborted. */
export async function runBatches(options: BatchRunOptions): Promise<BatchRunResult> {
	const {sources, clock, signal} = options;
	const metrics: Record<string, number> = {...options.metrics};
	const cursor: Record<string, number> = {...options.cursor};
	const batches: BatchFigures[] = [];
	const total = sources.reduce((sum, source) => sum + source.total, 0);
	const started = clock.now().getTime();
	let seq = options.batchesDone;
	let scannedThisProcess = 0;
	let batchSize = options.batchSize;
	const sleep = options.sleep ?? defaultSleep;
	// A dry run reads and "writes" on one connection: there is no transaction to overlap.
	const reader = options.readOnly ? undefined : options.reader;

	for (const source of sources) {
		let after = cursor[source.name] ?? 0;
		// The read of the next batch, started while this one writes (sources with `read`, given a reader).
		let next: {range: BatchRange; read: Promise<ReadBatch>} | undefined;
		while (after < source.upperBound) {
			if (signal.aborted) {
				throw new OperatorAborted('Stopped by the operator after the last committed batch.', {hint: 'Run the same command again to resume from the checkpoint.'});
			}

			if (!options.readOnly) {
				await waitForThrottle(options, sleep);
			}

			const batchStarted = clock.now().getTime();
			seq++;
			// A read started before an adaptive resize keeps its size: the new one applies from the batch after.
			const ahead = next?.range.after === after ? next : undefined;
			next = undefined;
			const range = ahead?.range ?? {after, limit: batchSize, upperBound: source.upperBound};
			let write: (sql: Sql) => Promise<BatchOutcome>;
			if (source.read) {
				const read = await (ahead?.read ?? source.read(reader ?? options.sql, range));
				if (reader && read.lastKey !== null) {
					const nextRange = {after: read.lastKey, limit: batchSize, upperBound: source.upperBound};
					next = {range: nextRange, read: source.read(reader, nextRange)};
					// Awaited by the next batch; a batch that fails first leaves it unawaited, which must not crash the process.
					next.read.catch(() => undefined);
				}

				write = async sql => read.write(sql);
			} else {
				write = async sql => source.runBatch(sql, range);
			}

			const outcome = options.readOnly ? await write(options.sql) : await commitBatch(options, source.name, range, seq, batchStarted, {cursor, metrics}, write);
			const durationMs = clock.now().getTime() - batchStarted;
			cursor[source.name] = outcome.lastKey ?? source.upperBound;
			Object.assign(metrics, addMetrics(metrics, outcome.metrics));
			after = cursor[source.name]!;
			scannedThisProcess += outcome.scanned;
			batches.push({seq, source: source.name, rows: outcome.scanned, durationMs, batchSize: range.limit});
			options.report(progressReport(options, source.name, {seq, batchSize, cursor, metrics, total, started, scannedThisProcess}));
			if (options.adaptive) {
				const resized = adaptBatchSize(batchSize, durationMs, options.adaptive.targetMs);
				if (resized !== batchSize) {
					options.onBatchSize?.(batchSize, resized);
					batchSize = resized;
				}
			}

			options.afterBatch?.({seq, committedThisProcess: batches.length});
			if (outcome.lastKey === null) {
				break;
			}
		}
	}

	return {metrics, cursor, batches};
}

/** One batch in one transaction: the source's writes, its undo rows, the batch row and the checkpoint. */
async function commitBatch(
	options: BatchRunOptions,
	source: string,
	range: BatchRange,
	seq: number,
	batchStarted: number,
	so: {readonly cursor: Record<string, number>; readonly metrics: Record<string, number>},
	write: (tx: Sql) => Promise<BatchOutcome>,
): Promise<BatchOutcome> {
	const {runId, clock} = options;
	return options.sql.transaction(async tx => {
		const outcome = await write(tx);
		const lastKey = outcome.lastKey ?? range.upperBound;
		await appendUndo(tx, runId, seq, outcome.undo);
		await recordBatch(tx, {
			runId,
			seq,
			source,
			firstKey: range.after + 1,
			lastKey,
			batchSize: range.limit,
			rowsScanned: outcome.scanned,
			rowsWritten: outcome.written,
			durationMs: clock.now().getTime() - batchStarted,
			committedAt: clock.now(),
		});
		await checkpointRun(tx, runId, {cursor: {...so.cursor, [source]: lastKey}, metrics: addMetrics(so.metrics, outcome.metrics), at: clock.now()});
		return outcome;
	});
}

function progressReport(
	options: BatchRunOptions,
	source: string,
	state: {seq: number; batchSize: number; cursor: Record<string, number>; metrics: Record<string, number>; total: number; started: number; scannedThisProcess: number},
): Progress {
	const elapsedMs = options.clock.now().getTime() - state.started;
	const rowsPerSecond = elapsedMs > 0 ? (state.scannedThisProcess * 1000) / elapsedMs : 0;
	const done = progressOf(options.sources, state.cursor);
	return {
		source,
		batch: state.seq,
		batchSize: state.batchSize,
		rowsScanned: done,
		rowsTotal: state.total,
		metrics: {...state.metrics},
		rowsPerSecond: Math.round(rowsPerSecond),
		etaMs: rowsPerSecond > 0 ? Math.max(0, Math.round(((state.total - done) / rowsPerSecond) * 1000)) : null,
		elapsedMs,
		throttle: null,
	};
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
