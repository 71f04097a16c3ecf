import type {Sql} from '../../db/sql.js';
import type {BatchRange, ReadBatch} from '../../engine/batch-runner.js';
import type {ActivityRow} from './activity.js';
import type {FeedDuplicate} from './duplicates.js';
import {classifyActivities, type SqlRecorder, writeActivities} from './upsert.js';

/** A legacy source row with `known_user` (users.id when the user exists, else NULL). */
export type SourceRow = Readonly<Record<string, unknown>>;

export type SourceName = 'community_posts' | 'community_post_comments' | 'certificates';
export type ProcessedMetric = 'posts_processed' | 'comments_processed' | 'completions_processed';

/** One legacy table of DESIGN.md §3.3: which rows it contributes and what activity rows each becomes. */
export type LegacySource = {
	readonly name: SourceName;
	readonly processedMetric: ProcessedMetric;
	/** The column holding the activity's user (author_id / user_id). */
	readonly userColumn: string;
	/** Columns of alias `s` the conversion needs (besides id). */
	readonly columns: readonly string[];
	/** The source's own filters (soft deletes, since), as a condition on alias `s`. */
	readonly filter: (since: string | null) => {readonly condition: string; readonly parameters: readonly unknown[]};
	/** occurred_at of the activity rows (NULL → skipped). */
	readonly occurredAt: (row: SourceRow) => unknown;
	readonly toActivities: (row: SourceRow, userId: number, occurredAt: string) => ActivityRow[];
};

/**
 * DESIGN.md §3.3, in its order. records_created / updated / unchanged / duplicate count ACTIVITY rows (a certificate
 * yields one per linking community, and each of them may or may not already be in the feed); records_skipped counts
 * SOURCE rows (no valid user or no timestamp: they yield no activity row at all). So created + updated + unchanged +
 * duplicate = the activity rows the non-skipped source rows yield.
 */
export const metricNames = ['posts_processed', 'comments_processed', 'completions_processed', 'records_created', 'records_updated', 'records_unchanged', 'records_duplicate', 'records_skipped'] as const;
export type Metrics = Record<(typeof metricNames)[number], number>;

export function zeroMetrics(): Metrics {
	return Object.fromEntries(metricNames.map(name => [name, 0])) as Metrics;
}

export type BatchRun = {
	/** Resolved since as 'YYYY-MM-DD HH:MM:SS' UTC, or null for everything. */
	readonly since: string | null;
	/** Dry run: classify only, write nothing. */
	readonly write: boolean;
	/** created_at / updated_at of written rows: the run's start. */
	readonly now: string;
	readonly onRows?: (classified: {created: readonly ActivityRow[]; updated: readonly ActivityRow[]; duplicates: readonly FeedDuplicate[]}) => void;
	/** Statements for the evidence (DESIGN.md §9). */
	readonly record?: SqlRecorder;
};

/**
 * One keyset batch of a source: one SELECT of its rows (joined to users), activity rows built in TypeScript, one
 * SELECT of the existing keys, one SELECT of the new rows' subjects (the platform's own feed rows); then `write`
 * (execution only) does the set-based writes. Shared by the dry run and the execution, so both count alike.
 * The reads may run while the previous batch commits (the runner's reader): a batch's keys and subjects come from
 * its own source rows, so no earlier batch writes a row these reads look for.
 */
export async function readBatch(sql: Sql, source: LegacySource, range: BatchRange, run: BatchRun): Promise<ReadBatch> {
	const filter = source.filter(run.since);
	const columns = ['s.id', ...source.columns.filter(column => column !== 'id').map(column => `s.${column}`), 'u.id AS known_user'];
	const statement = `SELECT ${columns.join(', ')} FROM ${source.name} s LEFT JOIN users u ON u.id = s.${source.userColumn}
		WHERE s.id > ? AND s.id <= ? AND ${filter.condition} ORDER BY s.id LIMIT ${Math.trunc(range.limit)}`;
	const parameters = [range.after, range.upperBound, ...filter.parameters];
	run.record?.(statement, parameters);
	const rows = await sql.all<SourceRow>(statement, parameters);

	const metrics = zeroMetrics();
	metrics[source.processedMetric] = rows.length;
	const activities: ActivityRow[] = [];
	for (const row of rows) {
		const userId = row[source.userColumn] === null || row[source.userColumn] === undefined ? null : Number(row[source.userColumn]);
		const occurredAt = timestampOrNull(source.occurredAt(row));
		if (userId === null || !(userId > 0) || row.known_user === null || row.known_user === undefined || occurredAt === null) {
			metrics.records_skipped++;
			continue;
		}

		activities.push(...source.toActivities(row, userId, occurredAt));
	}

	const classification = await classifyActivities(sql, activities, run.record);
	metrics.records_created = classification.created.length;
	metrics.records_updated = classification.updated.length;
	metrics.records_unchanged = classification.unchanged;
	// Activity rows whose subject the platform already shows for the same user under its own key: neither created,
	// updated nor unchanged (nothing of ours exists), and not skipped (the source row is valid) — their own count.
	metrics.records_duplicate = classification.duplicates.length;
	const last = rows.length > 0 ? Number(rows.at(-1)!.id) : null;
	const lastKey = rows.length < range.limit || last === null || last >= range.upperBound ? null : last;
	return {
		lastKey,
		async write(tx) {
			const undo = run.write ? await writeActivities(tx, classification, run.now, run.record) : [];
			run.onRows?.({created: classification.created, updated: classification.updated.map(update => update.row), duplicates: classification.duplicates});
			return {lastKey, scanned: rows.length, written: run.write ? classification.created.length + classification.updated.length : 0, metrics, undo};
		},
	};
}

/** A platform timestamp as text; NULL, empty and MySQL zero dates count as missing. */
function timestampOrNull(value: unknown): string | null {
	if (value === null || value === undefined) {
		return null;
	}

	const text = String(value);
	return text === '' || text.startsWith('0000-00-00') ? null : text;
}

/** Rows of the source's work set up to the bound (for progress and ETA). */
export async function countSource(sql: Sql, source: LegacySource, upperBound: number, since: string | null): Promise<number> {
	const filter = source.filter(since);
	const row = await sql.get<{n: unknown}>(`SELECT COUNT(*) AS n FROM ${source.name} s WHERE s.id <= ? AND ${filter.condition}`, [upperBound, ...filter.parameters]);
	return Number(row?.n ?? 0);
}

export async function maxId(sql: Sql, table: string): Promise<number> {
	const row = await sql.get<{n: unknown}>(`SELECT MAX(id) AS n FROM ${table}`);
	return Number(row?.n ?? 0);
}
