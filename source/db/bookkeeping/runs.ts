import type {RunbookRunRow} from '../../../entities/runbook-run.js';
import {PrerequisiteFailed} from '../../core/errors.js';
import {redactValue} from '../../core/redact.js';
import {formatTimestamp} from '../../core/timestamps.js';
import type {Database} from '../orm.js';
import type {Sql, SqlReader} from '../sql.js';

// runbook_runs (DESIGN.md §4): one row per execute or rollback run, and one per runbook session. This module is the
// only code that reads or writes it. Single-row reads and writes go through the MikroORM entity; the checkpoint,
// which rides in every batch's transaction, is one raw UPDATE on that transaction; `status`'s list is one raw SELECT
// (it connects without the ORM, read-only-database.ts), so the entity, and MikroORM with it, loads on first use.

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'aborted' | 'rolled-back';
export type RunMode = 'execute' | 'rollback';

export type RunRow = {
	readonly runId: string;
	readonly job: string;
	readonly params: Record<string, unknown>;
	readonly paramsHash: string;
	readonly codeVersion: string;
	readonly mode: RunMode;
	readonly status: RunStatus;
	readonly cursor: Record<string, number>;
	readonly metrics: Record<string, number>;
	readonly state: Record<string, unknown>;
	readonly host: string;
	readonly pid: number;
	/** The runbook session a job run belongs to, or the run a rollback undoes. */
	readonly parentRunId: string | null;
	readonly startedAt: string;
	readonly heartbeatAt: string | null;
	readonly finishedAt: string | null;
};

export type NewRun = Pick<RunRow, 'runId' | 'job' | 'params' | 'paramsHash' | 'codeVersion' | 'mode' | 'host' | 'pid'> & {
	readonly parentRunId?: string | null;
	readonly startedAt: Date;
	readonly state?: Record<string, unknown>;
};

/** A corrupted bookkeeping row is reported (exit 3), never crashed on; `--restart` sets it aside. */
export class CorruptRunRow extends PrerequisiteFailed {
	constructor(
		readonly runId: string,
		column: string,
	) {
		super(`runbook_runs row ${runId} has a corrupted ${column} column.`, {
			hint: 'Start a new run with --restart (the corrupted run is marked aborted and kept for inspection).',
		});
	}
}

type Entity = RunbookRunRow;

const entity = async () => (await import('../../../entities/runbook-run.js')).RunbookRun;
const repository = async (database: Database) => database.orm.em.fork().getRepository(await entity());

export async function startRun(database: Database, run: NewRun): Promise<void> {
	const at = formatTimestamp(run.startedAt);
	await database.orm.em.fork().insert(await entity(), {
		runId: run.runId,
		job: run.job,
		params: JSON.stringify(redactValue(run.params)),
		paramsHash: run.paramsHash,
		codeVersion: run.codeVersion,
		mode: run.mode,
		status: 'running',
		cursor: '{}',
		metrics: '{}',
		state: JSON.stringify(run.state ?? {}),
		host: run.host,
		pid: run.pid,
		parentRunId: run.parentRunId ?? null,
		startedAt: at,
		heartbeatAt: at,
		finishedAt: null,
	});
}

export async function findRun(database: Database, runId: string): Promise<RunRow | undefined> {
	const row = await (await repository(database)).findOne({runId});
	return row ? toRun(row) : undefined;
}

/**
 * The newest run of a job that can still be continued (crashed, failed, Ctrl-C: finished_at not set). Returns the id
 * even when the row is corrupted, so `--restart` can set it aside; `read` then throws CorruptRunRow.
 */
export async function findUnfinishedRun(database: Database, job: string, mode: RunMode = 'execute'): Promise<{runId: string; read: () => RunRow} | undefined> {
	const row = await (await repository(database)).findOne({job, mode}, {orderBy: {id: 'desc'}});
	if (!row || row.finishedAt !== null || !['running', 'failed', 'aborted'].includes(row.status)) {
		return undefined;
	}

	return {runId: row.runId, read: () => toRun(row)};
}

export async function latestRun(database: Database, filter: {job?: string; mode?: RunMode; status?: RunStatus} = {}): Promise<RunRow | undefined> {
	const where = Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
	const row = await (await repository(database)).findOne(where, {orderBy: {id: 'desc'}});
	return row ? toRun(row) : undefined;
}

/** The runs that belong to a session (or that roll back a run), oldest first. */
export async function childRuns(database: Database, parentRunId: string, mode?: RunMode): Promise<RunRow[]> {
	const rows = await (await repository(database)).find({parentRunId, ...(mode ? {mode} : {})}, {orderBy: {id: 'asc'}});
	return rows.map(toRun);
}

export type RunSummary = Pick<RunRow, 'runId' | 'job' | 'mode' | 'status' | 'startedAt' | 'finishedAt' | 'heartbeatAt' | 'host' | 'pid' | 'parentRunId'> & {
	readonly metrics: Record<string, number>;
	/** A column could not be read (status still lists the run). */
	readonly corrupted: boolean;
};

/** The newest runs, for `status`: never fails on a corrupted row, it says so instead. */
export async function recentRuns(sql: SqlReader, limit: number): Promise<RunSummary[]> {
	const rows = await sql.all<Record<string, unknown>>(
		`SELECT run_id, job, params, params_hash, code_version, mode, status, \`cursor\`, metrics, state, host, pid, parent_run_id, started_at, heartbeat_at, finished_at
		 FROM runbook_runs ORDER BY id DESC LIMIT ${Math.trunc(limit)}`,
	);
	return rows.map(raw => {
		const row = entityOf(raw);
		let metrics: Record<string, number> = {};
		let corrupted = false;
		try {
			const run = toRun(row);
			metrics = Object.fromEntries(Object.entries(run.metrics).filter(([, value]) => typeof value === 'number'));
		} catch {
			corrupted = true;
		}

		return {runId: row.runId, job: row.job, mode: row.mode as RunMode, status: row.status, startedAt: row.startedAt ?? '', finishedAt: row.finishedAt ?? null, heartbeatAt: row.heartbeatAt ?? null, host: row.host, pid: row.pid, parentRunId: row.parentRunId ?? null, metrics, corrupted};
	});
}

/** A raw runbook_runs row as the entity reads it (TimestampText: the first 19 characters of the stored text). */
function entityOf(raw: Record<string, unknown>): Omit<Entity, 'id'> {
	const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
	const timestamp = (value: unknown) => text(value)?.slice(0, 19) ?? null;
	return {
		runId: String(raw.run_id),
		job: String(raw.job),
		params: String(raw.params),
		paramsHash: String(raw.params_hash),
		codeVersion: String(raw.code_version),
		mode: String(raw.mode) as Entity['mode'],
		status: String(raw.status) as Entity['status'],
		cursor: text(raw.cursor),
		metrics: text(raw.metrics),
		state: text(raw.state),
		host: String(raw.host),
		pid: Number(raw.pid),
		parentRunId: text(raw.parent_run_id),
		startedAt: timestamp(raw.started_at) ?? '',
		heartbeatAt: timestamp(raw.heartbeat_at),
		finishedAt: timestamp(raw.finished_at),
	};
}

/** A resumed run is running again, on this process. */
export async function resumeRun(database: Database, runId: string, self: {host: string; pid: number}, at: Date): Promise<void> {
	await update(database, runId, {status: 'running', host: self.host, pid: self.pid, heartbeatAt: formatTimestamp(at), finishedAt: null});
}

/** The checkpoint a resume continues from, written in the batch's own transaction. */
export async function checkpointRun(tx: Sql, runId: string, checkpoint: {cursor?: Record<string, number>; metrics: Record<string, number>; at: Date}): Promise<void> {
	const cursor = checkpoint.cursor ? ', `cursor` = ?' : '';
	await tx.run(`UPDATE runbook_runs SET metrics = ?, heartbeat_at = ?${cursor} WHERE run_id = ?`, [
		JSON.stringify(checkpoint.metrics),
		formatTimestamp(checkpoint.at),
		...(checkpoint.cursor ? [JSON.stringify(checkpoint.cursor)] : []),
		runId,
	]);
}

/** What the run fixed at its start (work set, resolved parameters), for a resume. */
export async function saveRunState(database: Database, runId: string, state: Record<string, unknown>): Promise<void> {
	await update(database, runId, {state: JSON.stringify(state)});
}

/**
 * The run's end. `final` runs (succeeded, or given up) get finished_at and are never continued; the others (a crash,
 * a lost connection, Ctrl-C, a failed batch) stay resumable from their last checkpoint.
 */
export async function finishRun(database: Database, runId: string, end: {status: Exclude<RunStatus, 'running' | 'rolled-back'>; final: boolean; at: Date; metrics?: Record<string, number>; state?: Record<string, unknown>}): Promise<void> {
	const at = formatTimestamp(end.at);
	await update(database, runId, {
		status: end.status,
		heartbeatAt: at,
		finishedAt: end.final ? at : null,
		...(end.metrics ? {metrics: JSON.stringify(end.metrics)} : {}),
		...(end.state ? {state: JSON.stringify(end.state)} : {}),
	});
}

/** `--restart`: the unfinished run is set aside (kept for inspection, never resumed), even when its row is corrupted. */
export async function abortRun(database: Database, runId: string, at: Date): Promise<void> {
	await update(database, runId, {status: 'aborted', finishedAt: formatTimestamp(at)});
}

export async function markRolledBack(database: Database, runIds: readonly string[]): Promise<void> {
	if (runIds.length > 0) {
		await database.orm.em.fork().nativeUpdate(await entity(), {runId: {$in: [...runIds]}}, {status: 'rolled-back'});
	}
}

/** The demo regenerates the platform data: runs recorded against the old rows describe nothing that exists. */
export async function clearRunHistory(sql: Sql): Promise<void> {
	for (const table of ['runbook_undo', 'runbook_batches', 'runbook_locks', 'runbook_runs', 'runbook_backfill_pairs']) {
		await sql.run(`DELETE FROM ${table}`).catch(() => undefined);
	}
}

async function update(database: Database, runId: string, changes: Partial<Omit<Entity, 'id' | 'runId'>>): Promise<void> {
	await database.orm.em.fork().nativeUpdate(await entity(), {runId}, changes);
}

function toRun(row: Omit<Entity, 'id'>): RunRow {
	return {
		runId: row.runId,
		job: row.job,
		params: parseObject(row.params, 'params', row.runId),
		paramsHash: row.paramsHash,
		codeVersion: row.codeVersion,
		mode: row.mode as RunMode,
		status: row.status,
		cursor: parseObject(row.cursor, 'cursor', row.runId) as Record<string, number>,
		metrics: parseObject(row.metrics, 'metrics', row.runId) as Record<string, number>,
		state: parseObject(row.state, 'state', row.runId),
		host: row.host,
		pid: row.pid,
		parentRunId: row.parentRunId ?? null,
		startedAt: row.startedAt ?? '',
		heartbeatAt: row.heartbeatAt ?? null,
		finishedAt: row.finishedAt ?? null,
	};
}

function parseObject(value: string | null | undefined, column: string, runId: string): Record<string, unknown> {
	if (value === null || value === undefined || value === '') {
		return {};
	}

	try {
		const parsed: unknown = JSON.parse(value);
		if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
			return parsed as Record<string, unknown>;
		}
	} catch {}

	throw new CorruptRunRow(runId, column);
}
