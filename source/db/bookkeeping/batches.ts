import {formatTimestamp} from '../../core/timestamps.js';
import type {Sql, SqlReader} from '../sql.js';

// runbook_batches (DESIGN.md §4): one row per committed batch, written in the batch's own transaction.

export type BatchRecord = {
	readonly runId: string;
	readonly seq: number;
	readonly source: string;
	readonly firstKey: number;
	readonly lastKey: number;
	readonly batchSize: number;
	readonly rowsScanned: number;
	readonly rowsWritten: number;
	readonly durationMs: number;
	readonly committedAt: Date;
};

export async function recordBatch(tx: Sql, batch: BatchRecord): Promise<void> {
	await tx.run(
		'INSERT INTO runbook_batches (run_id, seq, source, first_key, last_key, batch_size, rows_scanned, rows_written, duration_ms, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
		[batch.runId, batch.seq, batch.source, batch.firstKey, batch.lastKey, batch.batchSize, batch.rowsScanned, batch.rowsWritten, batch.durationMs, formatTimestamp(batch.committedAt)],
	);
}

/** The sequence number of the run's last committed batch (0 when none): a resume numbers on from it. */
export async function lastBatchSeq(sql: Sql, runId: string): Promise<number> {
	const row = await sql.get<{n: unknown}>('SELECT MAX(seq) AS n FROM runbook_batches WHERE run_id = ?', [runId]);
	return Number(row?.n ?? 0);
}

export type BatchSummary = {
	readonly run_id: string;
	readonly count: number;
	readonly rows_scanned: number;
	readonly rows_written: number;
	readonly duration_ms: number;
	readonly last_committed_at: string | null;
	readonly sources: ReadonlyArray<{readonly source: string; readonly batches: number; readonly last_key: number}>;
};

/** A run's batches in figures, for `status`. */
export async function batchSummary(sql: SqlReader, runId: string): Promise<BatchSummary> {
	const total = await sql.get<Record<string, unknown>>(
		'SELECT COUNT(*) AS n, SUM(rows_scanned) AS scanned, SUM(rows_written) AS written, SUM(duration_ms) AS duration, MAX(committed_at) AS last_at FROM runbook_batches WHERE run_id = ?',
		[runId],
	);
	const sources = await sql.all<Record<string, unknown>>('SELECT source, COUNT(*) AS n, MAX(last_key) AS last_key FROM runbook_batches WHERE run_id = ? GROUP BY source ORDER BY MIN(seq)', [runId]);
	return {
		run_id: runId,
		count: Number(total?.n ?? 0),
		rows_scanned: Number(total?.scanned ?? 0),
		rows_written: Number(total?.written ?? 0),
		duration_ms: Number(total?.duration ?? 0),
		last_committed_at: total?.last_at === null || total?.last_at === undefined ? null : String(total.last_at).slice(0, 19),
		sources: sources.map(source => ({source: String(source.source), batches: Number(source.n), last_key: Number(source.last_key ?? 0)})),
	};
}
