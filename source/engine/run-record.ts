import type {Sql} from '../db/sql.js';
import {PrerequisiteFailed} from '../core/errors.js';
import {redactValue} from '../core/redact.js';
import {formatTimestamp} from '../core/timestamps.js';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'aborted' | 'rolled-back';
export type RunMode = 'dry-run' | 'execute' | 'rollback';

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
	readonly startedAt: string;
	readonly heartbeatAt: string | null;
	readonly finishedAt: string | null;
};

type RawRun = Record<string, unknown>;

const columns = 'run_id, job, params, params_hash, code_version, mode, status, `cursor`, metrics, state, host, pid, started_at, heartbeat_at, finished_at';

export async function insertRun(
	sql: Sql,
	run: {runId: string; job: string; params: Record<string, unknown>; paramsHash: string; codeVersion: string; mode: RunMode; host: string; pid: number; startedAt: Date; state?: Record<string, unknown>},
): Promise<void> {
	const now = formatTimestamp(run.startedAt);
	await sql.run(
		`INSERT INTO runbook_runs (run_id, job, params, params_hash, code_version, mode, status, \`cursor\`, metrics, state, host, pid, started_at, heartbeat_at)
		 VALUES (?, ?, ?, ?, ?, ?, 'running', '{}', '{}', ?, ?, ?, ?, ?)`,
		[run.runId, run.job, JSON.stringify(redactValue(run.params)), run.paramsHash, run.codeVersion, run.mode, JSON.stringify(run.state ?? {}), run.host, run.pid, now, now],
	);
}

export async function findRun(sql: Sql, runId: string): Promise<RunRow | undefined> {
	const row = await sql.get<RawRun>(`SELECT ${columns} FROM runbook_runs WHERE run_id = ?`, [runId]);
	return row ? toRun(row) : undefined;
}

/** The newest execute run of a job that did not finish (crashed, failed, aborted): what a plain re-run resumes. */
export async function findUnfinishedRun(sql: Sql, job: string, mode: RunMode = 'execute'): Promise<RunRow | undefined> {
	const row = await sql.get<RawRun>(`SELECT ${columns} FROM runbook_runs WHERE job = ? AND mode = ? ORDER BY id DESC LIMIT 1`, [job, mode]);
	if (!row) {
		return undefined;
	}

	const run = toRun(row);
	return ['running', 'failed', 'aborted'].includes(run.status) ? run : undefined;
}

export async function latestRun(sql: Sql, filter: {job?: string; mode?: RunMode; status?: RunStatus} = {}): Promise<RunRow | undefined> {
	const where: string[] = [];
	const parameters: unknown[] = [];
	for (const [column, value] of Object.entries(filter)) {
		if (value !== undefined) {
			where.push(`${column} = ?`);
			parameters.push(value);
		}
	}

	const row = await sql.get<RawRun>(`SELECT ${columns} FROM runbook_runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT 1`, parameters);
	return row ? toRun(row) : undefined;
}

export async function updateRun(sql: Sql, runId: string, changes: {status?: RunStatus; cursor?: Record<string, number>; metrics?: Record<string, number>; state?: Record<string, unknown>; heartbeatAt?: Date; finishedAt?: Date | null; host?: string; pid?: number}): Promise<void> {
	const sets: string[] = [];
	const parameters: unknown[] = [];
	const add = (column: string, value: unknown) => {
		sets.push(`${column} = ?`);
		parameters.push(value);
	};

	if (changes.status) add('status', changes.status);
	if (changes.cursor) add('`cursor`', JSON.stringify(changes.cursor));
	if (changes.metrics) add('metrics', JSON.stringify(changes.metrics));
	if (changes.state) add('state', JSON.stringify(changes.state));
	if (changes.heartbeatAt) add('heartbeat_at', formatTimestamp(changes.heartbeatAt));
	if (changes.finishedAt !== undefined) add('finished_at', changes.finishedAt ? formatTimestamp(changes.finishedAt) : null);
	if (changes.host) add('host', changes.host);
	if (changes.pid !== undefined) add('pid', changes.pid);
	if (sets.length === 0) {
		return;
	}

	await sql.run(`UPDATE runbook_runs SET ${sets.join(', ')} WHERE run_id = ?`, [...parameters, runId]);
}

function toRun(row: RawRun): RunRow {
	return {
		runId: String(row.run_id),
		job: String(row.job),
		params: parseObject(row.params, 'params', row.run_id),
		paramsHash: String(row.params_hash),
		codeVersion: String(row.code_version),
		mode: String(row.mode) as RunMode,
		status: String(row.status) as RunStatus,
		cursor: parseObject(row.cursor, 'cursor', row.run_id) as Record<string, number>,
		metrics: parseObject(row.metrics, 'metrics', row.run_id) as Record<string, number>,
		state: parseObject(row.state, 'state', row.run_id),
		host: String(row.host),
		pid: Number(row.pid),
		startedAt: String(row.started_at),
		heartbeatAt: row.heartbeat_at === null ? null : String(row.heartbeat_at),
		finishedAt: row.finished_at === null ? null : String(row.finished_at),
	};
}

/** A corrupted bookkeeping row is reported, not crashed on. */
export class CorruptRunRow extends PrerequisiteFailed {}

function parseObject(value: unknown, column: string, runId: unknown): Record<string, unknown> {
	if (value === null || value === undefined || value === '') {
		return {};
	}

	try {
		const parsed: unknown = JSON.parse(String(value));
		if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
			return parsed as Record<string, unknown>;
		}
	} catch {}

	throw new CorruptRunRow(`runbook_runs row ${String(runId)} has a corrupted ${column} column.`, {
		hint: 'Start a new run with --restart (the corrupted run is left as it is for inspection).',
	});
}
