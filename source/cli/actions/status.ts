import {existingTables} from '../../db/platform-schema.js';
import {batchSummary} from '../../db/bookkeeping/batches.js';
import {recentRuns} from '../../db/bookkeeping/runs.js';
import {pendingByRun} from '../../db/bookkeeping/undo-journal.js';
import {asDatabaseUnreachable} from '../../db/connection-errors.js';
import type {SqlReader} from '../../db/sql.js';
import {readFlagState} from '../../engine/feature-flags.js';
import {readHolder} from '../../db/bookkeeping/run-lock.js';
import type {CommandContext, CommandResult} from '../command.js';
import {processIdentity} from '../job-session.js';

const recentRunCount = 10;
const staleAfterMs = 60_000;
export const statusFlag = 'community_profile_activity';
const runbookTables = ['runbook_runs', 'runbook_batches', 'runbook_undo', 'runbook_locks'];

type StatusRun = {
	run_id: string;
	job: string;
	mode: string;
	status: string;
	started_at: string;
	finished_at: string | null;
	heartbeat_at: string | null;
	host: string;
	pid: number;
	metrics: Record<string, number>;
	undo_pending: number;
	parent_run_id: string | null;
	corrupted?: boolean;
};

/**
 * `status` (DESIGN.md §10): recent runs, the last run's batches, the lock holder and the flag state. Read-only: it
 * never migrates or writes; without the runbook tables it says so.
 */
export async function runStatus(context: CommandContext): Promise<CommandResult> {
	const flag = await readFlagState(context.appRoot, context.terminal.env, statusFlag);
	const flagJson = {name: flag.flag, on: flag.on, percentage: flag.percentage, file_value: flag.fileValue, env_override: flag.envOverride, rollout: flag.rollout};
	const flagLine = `Flag ${flag.flag}: ${flag.on ? `on (${flag.percentage} %)` : 'off'}${flag.envOverride === null ? '' : ` — APP_FEATURE_FLAGS overrides it (${String(flag.envOverride)})`}`;
	const database = await context.connectReadOnly();
	try {
		const tables = await existingTables(database.sql);
		const missing = runbookTables.filter(table => !tables.has(table));
		if (missing.length > 0) {
			const line = `The runbook tables are missing (${missing.join(', ')}): no run has been recorded on this database yet.`;
			return {status: 'succeeded', lines: [line, flagLine], extra: {runs: [], batches: null, lock: null, flag: flagJson, runbook_tables: false}};
		}

		const runs = await readRuns(database.sql);
		const last = runs[0];
		const batches = last ? await batchSummary(database.sql, last.run_id) : null;
		const holder = await readHolder(database.sql);
		const lock = holder
			? {
					run_id: holder.runId,
					host: holder.host,
					pid: holder.pid,
					acquired_at: holder.acquiredAt,
					heartbeat_at: holder.heartbeatAt,
					alive: holder.host === processIdentity.host ? processIdentity.isAlive(holder.pid) : null,
					stale: holder.host === processIdentity.host ? !processIdentity.isAlive(holder.pid) : Date.now() - Date.parse(`${holder.heartbeatAt.replace(' ', 'T')}Z`) > staleAfterMs,
				}
			: null;

		const lines: string[] = [];
		if (runs.length === 0) {
			lines.push('No runs recorded yet.');
		} else {
			lines.push(`Recent runs (newest first):`);
			for (const run of runs) {
				const metrics = Object.entries(run.metrics)
					.filter(([, value]) => value !== 0)
					.map(([key, value]) => `${key}=${value}`)
					.join(' ');
				lines.push(
					`  ${run.started_at}  ${run.job.padEnd(24)} ${run.mode.padEnd(8)} ${run.status.padEnd(11)} ${run.run_id}${run.finished_at ? ` finished ${run.finished_at}` : ''}${run.undo_pending > 0 ? ` undo_pending=${run.undo_pending}` : ''}${metrics ? `  ${metrics}` : ''}`,
				);
			}
		}

		if (batches && last) {
			lines.push(
				batches.count === 0
					? `Last run ${last.run_id}: no batches.`
					: `Last run ${last.run_id}: ${batches.count} batches, ${batches.rows_scanned} rows scanned, ${batches.rows_written} written, ${batches.duration_ms} ms in batches, last committed ${batches.last_committed_at}${batches.sources.length > 0 ? ` (${batches.sources.map(source => `${source.source}: ${source.batches} batches up to key ${source.last_key}`).join('; ')})` : ''}.`,
			);
		}

		lines.push(
			lock
				? `Lock: held by run ${lock.run_id} on ${lock.host} (pid ${lock.pid}) since ${lock.acquired_at} UTC, heartbeat ${lock.heartbeat_at} UTC — ${lock.alive === null ? (lock.stale ? 'stale (no heartbeat for 60 s; --break-lock can take it over)' : 'alive (heartbeat is recent)') : lock.alive ? 'alive' : 'stale (process gone; the next run takes it over)'}.`
				: 'Lock: free.',
		);
		lines.push(flagLine);
		return {status: 'succeeded', lines, extra: {runs, batches, lock, flag: flagJson, runbook_tables: true}};
	} catch (error) {
		throw asDatabaseUnreachable(error, database.target);
	} finally {
		await database.close();
	}
}

async function readRuns(sql: SqlReader): Promise<StatusRun[]> {
	const runs = await recentRuns(sql, recentRunCount);
	const pending = await pendingByRun(sql, runs.map(run => run.runId));
	return runs.map(run => ({
		run_id: run.runId,
		job: run.job,
		mode: run.mode,
		status: run.status,
		started_at: run.startedAt,
		finished_at: run.finishedAt,
		heartbeat_at: run.heartbeatAt,
		host: run.host,
		pid: run.pid,
		parent_run_id: run.parentRunId,
		metrics: run.metrics,
		undo_pending: pending.get(run.runId) ?? 0,
		...(run.corrupted ? {corrupted: true} : {}),
	}));
}
