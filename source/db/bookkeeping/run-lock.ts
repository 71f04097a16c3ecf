import type {SqlEntityManager} from '@mikro-orm/knex';
import type {Database} from '../orm.js';
import type {SqlReader} from '../sql.js';
import {LockHeld} from '../../core/errors.js';
import type {Clock, ProcessIdentity} from '../../core/identity.js';
import {formatTimestamp} from '../../core/timestamps.js';

export const lockName = 'community-runbook';
const staleAfterMs = 60_000;

export type LockHolder = {readonly runId: string; readonly host: string; readonly pid: number; readonly acquiredAt: string; readonly heartbeatAt: string};

export type RunLock = {
	/** How the lock was obtained: fresh, or taken over from a dead / stale holder (recorded in evidence). */
	readonly takeover: {readonly reason: 'dead-process' | 'break-lock' | 'released-connection'; readonly previous: LockHolder} | null;
	heartbeat(): Promise<void>;
	release(): Promise<void>;
};

type MysqlConnection = {query: (sql: string, values: unknown[], callback: (error: Error | null, rows: unknown) => void) => void};

/**
 * One run at a time per database (DESIGN.md §6). SQLite: a row in runbook_locks with a heartbeat. MySQL/MariaDB:
 * GET_LOCK on a connection held for the whole run (it dies with the connection), plus the same row for the holder's
 * name. A holder on this host whose pid is gone is taken over at once; one on another host without a heartbeat
 * for 60 s only with --break-lock.
 */
export async function acquireRunLock(database: Database, runId: string, self: ProcessIdentity, clock: Clock, options: {readonly breakLock?: boolean} = {}): Promise<RunLock> {
	const {sql} = database;
	let connection: MysqlConnection | undefined;
	let takeover: RunLock['takeover'] = null;
	// GET_LOCK names are server-wide; the database name keeps the lock "one run per database" (DESIGN.md §6).
	const serverLock = database.target.dialect === 'mysql' ? `${lockName}:${database.target.database}`.slice(0, 64) : lockName;
	if (sql.dialect === 'mysql') {
		const knex = (database.orm.em as SqlEntityManager).getKnex();
		connection = (await knex.client.acquireConnection()) as MysqlConnection;
		const got = await query<Array<{got: number | null}>>(connection, 'SELECT GET_LOCK(?, 0) AS got', [serverLock]);
		if (Number(got[0]?.got) !== 1) {
			const holder = await readHolder(database.sql);
			const stale = holder && clock.now().getTime() - Date.parse(`${holder.heartbeatAt.replace(' ', 'T')}Z`) > staleAfterMs;
			if (options.breakLock && holder && stale && holder.host !== self.host) {
				await query(connection, 'KILL CONNECTION IS_USED_LOCK(?)', [serverLock]).catch(() => undefined);
				const again = await query<Array<{got: number | null}>>(connection, 'SELECT GET_LOCK(?, 5) AS got', [serverLock]);
				if (Number(again[0]?.got) === 1) {
					takeover = {reason: 'break-lock', previous: holder};
				}
			}

			if (!takeover) {
				knex.client.releaseConnection(connection);
				throw lockHeldError(holder, self);
			}
		}
	}

	try {
		const now = formatTimestamp(clock.now());
		takeover = (await sql.transaction(async tx => {
			const holder = await readHolder(tx);
			let reason: NonNullable<RunLock['takeover']>['reason'] | undefined;
			if (holder) {
				if (sql.dialect === 'mysql') {
					// We hold GET_LOCK, so the row's owner lost its connection: it is gone.
					reason = takeover?.reason ?? 'released-connection';
				} else if (holder.host === self.host && !self.isAlive(holder.pid)) {
					reason = 'dead-process';
				} else if (options.breakLock && holder.host !== self.host && clock.now().getTime() - Date.parse(`${holder.heartbeatAt.replace(' ', 'T')}Z`) > staleAfterMs) {
					reason = 'break-lock';
				} else {
					throw lockHeldError(holder, self);
				}

				await tx.run('DELETE FROM runbook_locks WHERE name = ?', [lockName]);
			}

			await tx.run('INSERT INTO runbook_locks (name, run_id, host, pid, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)', [lockName, runId, self.host, self.pid, now, now]);
			return holder && reason ? {reason, previous: holder} : null;
		})) as RunLock['takeover'];
	} catch (error) {
		if (connection) {
			await query(connection, 'SELECT RELEASE_LOCK(?)', [serverLock]).catch(() => undefined);
			(database.orm.em as SqlEntityManager).getKnex().client.releaseConnection(connection);
		}

		throw error;
	}

	let released = false;
	return {
		takeover,
		async heartbeat() {
			if (!released) {
				await sql.run('UPDATE runbook_locks SET heartbeat_at = ? WHERE name = ? AND run_id = ?', [formatTimestamp(clock.now()), lockName, runId]);
			}
		},
		async release() {
			if (released) {
				return;
			}

			released = true;
			await sql.run('DELETE FROM runbook_locks WHERE name = ? AND run_id = ?', [lockName, runId]).catch(() => undefined);
			if (connection) {
				await query(connection, 'SELECT RELEASE_LOCK(?)', [serverLock]).catch(() => undefined);
				(database.orm.em as SqlEntityManager).getKnex().client.releaseConnection(connection);
			}
		},
	};
}

export async function readHolder(sql: SqlReader): Promise<LockHolder | undefined> {
	const row = await sql.get<{run_id: string; host: string; pid: number; acquired_at: string; heartbeat_at: string}>(
		'SELECT run_id, host, pid, acquired_at, heartbeat_at FROM runbook_locks WHERE name = ?',
		[lockName],
	);
	return row ? {runId: row.run_id, host: row.host, pid: Number(row.pid), acquiredAt: row.acquired_at, heartbeatAt: row.heartbeat_at} : undefined;
}

function lockHeldError(holder: LockHolder | undefined, self: ProcessIdentity): LockHeld {
	const who = holder ? `run ${holder.runId} on ${holder.host} (pid ${holder.pid}) since ${holder.acquiredAt} UTC, last heartbeat ${holder.heartbeatAt} UTC` : 'another session (no holder row)';
	const hint =
		holder && holder.host !== self.host
			? 'Wait for it to finish; if that host is gone and its heartbeat is older than 60 s, pass --break-lock.'
			: 'Wait for it to finish, or stop it (Ctrl-C) and resume later.';
	return new LockHeld(`Another run holds the lock: ${who}.`, {hint, details: holder});
}

async function query<T = unknown>(connection: MysqlConnection, statement: string, values: unknown[]): Promise<T> {
	return new Promise((resolve, reject) => {
		connection.query(statement, values, (error, rows) => {
			if (error) {
				reject(error);
			} else {
				resolve(rows as T);
			}
		});
	});
}
