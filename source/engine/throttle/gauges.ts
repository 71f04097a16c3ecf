// The three things a throttle probe can measure (DESIGN.md §6 "Throttle"). A gauge's `read` throws when its target
// cannot be reached; the probe (throttle-probe.ts) turns that into a warning and a wait.
import {Redis} from 'ioredis';
import mysql from 'mysql2/promise';
import type {Database} from '../../db/orm.js';
import {existingTables} from '../../db/platform-schema.js';
import type {QueueTarget, ReplicaTarget} from './throttle-targets.js';

export type Reading = {readonly wait: boolean; readonly reason: string | null};

export type Gauge = {
	/** "replica", "queue": what the unreachable message names. */
	readonly name: string;
	/** host:port (or "platform database"), safe to print. */
	readonly label: string;
	/** Measures once; a reading over the threshold says why to wait. Throws when unreachable. */
	read(): Promise<Reading>;
	/** The prerequisites' view: unreachable, no replication, no jobs table → not ok. */
	check(): Promise<{readonly ok: boolean; readonly detail: string}>;
	close(): Promise<void>;
};

const timeoutMs = 3000;

type ReplicaRow = Record<string, unknown>;

/** `SHOW REPLICA STATUS` (MariaDB ≥ 10.5.1, MySQL ≥ 8.0.22), else `SHOW SLAVE STATUS`; `Seconds_Behind_Master`. */
export function replicaGauge(target: ReplicaTarget, maxLag: number): Gauge {
	let connection: mysql.Connection | undefined;

	const drop = () => {
		connection?.destroy();
		connection = undefined;
	};

	async function status(): Promise<ReplicaRow[]> {
		if (!connection) {
			const opened = await mysql.createConnection({host: target.host, port: target.port, user: target.user, password: target.password, connectTimeout: timeoutMs, dateStrings: true});
			opened.on('error', () => {
				if (connection === opened) connection = undefined;
			});
			connection = opened;
		}

		try {
			try {
				const [rows] = await connection.query({sql: 'SHOW REPLICA STATUS', timeout: timeoutMs});
				return rows as ReplicaRow[];
			} catch (error) {
				if ((error as {code?: string}).code !== 'ER_PARSE_ERROR') throw error;
				const [rows] = await connection.query({sql: 'SHOW SLAVE STATUS', timeout: timeoutMs});
				return rows as ReplicaRow[];
			}
		} catch (error) {
			drop();
			throw error;
		}
	}

	return {
		name: 'replica',
		label: target.label,
		async read() {
			return judgeReplica(await status(), maxLag, target.label);
		},
		async check() {
			try {
				const rows = await status();
				if (rows.length === 0) {
					return {ok: false, detail: `${target.label} is not a replica (SHOW REPLICA STATUS returned nothing); point --replica-url at the replica`};
				}

				const reading = judgeReplica(rows, maxLag, target.label);
				return {ok: true, detail: `${target.label} reachable, ${reading.reason ?? `lag ${lagOf(rows[0]!) ?? '?'} s ≤ ${maxLag} s`}`};
			} catch (error) {
				return {ok: false, detail: `replica unreachable: ${describeError(error, target.label)}`};
			}
		},
		async close() {
			const open = connection;
			connection = undefined;
			await open?.end().catch(() => open.destroy());
		},
	};
}

function field(row: ReplicaRow, ...names: string[]): unknown {
	for (const name of names) {
		if (name in row) return row[name];
	}

	return undefined;
}

function lagOf(row: ReplicaRow): number | null {
	const lag = field(row, 'Seconds_Behind_Master', 'Seconds_Behind_Source');
	return lag === null || lag === undefined ? null : Number(lag);
}

/** Any replication channel behind, stopped or of unknown lag → wait (the worst channel is named). */
export function judgeReplica(rows: readonly ReplicaRow[], maxLag: number, label: string): Reading {
	if (rows.length === 0) {
		return {wait: true, reason: `replica ${label} is not replicating (SHOW REPLICA STATUS is empty)`};
	}

	let worst: Reading = {wait: false, reason: null};
	let worstLag = -1;
	for (const row of rows) {
		const sqlRunning = String(field(row, 'Slave_SQL_Running', 'Replica_SQL_Running') ?? '');
		const ioRunning = String(field(row, 'Slave_IO_Running', 'Replica_IO_Running') ?? '');
		const lag = lagOf(row);
		if (sqlRunning !== 'Yes') {
			return {wait: true, reason: 'replica SQL thread not running'};
		}

		if (lag === null) {
			return {wait: true, reason: ioRunning === 'Yes' ? 'replica lag unknown' : 'replica IO thread not running (lag unknown)'};
		}

		if (lag > maxLag && lag > worstLag) {
			worstLag = lag;
			worst = {wait: true, reason: `replica lag ${lag} s > ${maxLag} s`};
		}
	}

	return worst;
}

/** Laravel's Redis queue: the pending jobs are the list `queues:<name>`. */
export function redisGauge(target: Extract<QueueTarget, {kind: 'redis'}>, maxDepth: number): Gauge {
	const redis = new Redis({
		host: target.host,
		port: target.port,
		db: target.db,
		username: target.username,
		password: target.password,
		...(target.tls ? {tls: {}} : {}),
		lazyConnect: true,
		enableOfflineQueue: false,
		maxRetriesPerRequest: 0,
		connectTimeout: timeoutMs,
		commandTimeout: timeoutMs,
		// No background reconnect loop: each probe reconnects if needed, so an outage costs one attempt per batch.
		retryStrategy: () => null,
	});
	let lastError: Error | undefined;
	redis.on('error', (error: Error) => {
		lastError = error;
	});

	async function depth(): Promise<number> {
		if (redis.status === 'wait' || redis.status === 'end' || redis.status === 'close') {
			lastError = undefined;
			try {
				await redis.connect();
			} catch (error) {
				throw lastError ?? error;
			}
		}

		try {
			return Number(await redis.llen(target.key));
		} catch (error) {
			throw lastError ?? error;
		}
	}

	return {
		name: 'queue',
		label: target.label,
		async read() {
			const jobs = await depth();
			return jobs > maxDepth ? {wait: true, reason: `queue ${target.queue} holds ${jobs} jobs > ${maxDepth}`} : {wait: false, reason: null};
		},
		async check() {
			try {
				const jobs = await depth();
				return {ok: true, detail: `redis ${target.label} reachable, queue ${target.queue} holds ${jobs} jobs (limit ${maxDepth})`};
			} catch (error) {
				return {ok: false, detail: `queue unreachable: ${describeError(error, target.label)}`};
			}
		},
		async close() {
			redis.disconnect();
		},
	};
}

/** Laravel's database queue: the platform's `jobs` table (not part of §2's schema, so it may be missing). */
export function jobsTableGauge(database: Database, queue: string | null, maxDepth: number): Gauge {
	const label = queue === null ? 'jobs table' : `queue ${queue}`;
	async function depth(): Promise<number> {
		const row = queue === null ? await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM jobs') : await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM jobs WHERE queue = ?', [queue]);
		return Number(row?.n ?? 0);
	}

	return {
		name: 'queue',
		label: 'platform database',
		async read() {
			const jobs = await depth();
			return jobs > maxDepth ? {wait: true, reason: `${label} holds ${jobs} jobs > ${maxDepth}`} : {wait: false, reason: null};
		},
		async check() {
			const tables = await existingTables(database.sql);
			if (!tables.has('jobs')) {
				return {ok: false, detail: 'the platform database has no jobs table (--queue-url=jobs watches Laravel\'s database queue; use a redis:// URL for a Redis queue)'};
			}

			try {
				return {ok: true, detail: `${label} holds ${await depth()} jobs (limit ${maxDepth})`};
			} catch (error) {
				return {ok: false, detail: `jobs table unreadable: ${describeError(error, 'platform database')}`};
			}
		},
		async close() {},
	};
}

/** One short line about why a target could not be reached, naming host:port, never credentials. */
export function describeError(error: unknown, label: string): string {
	const {code, message} = error as {code?: string; message?: string};
	const text = (message ?? String(error)).split('\n')[0]!.trim();
	if (code === 'ECONNREFUSED') return `${label}: connection refused`;
	if (code === 'ETIMEDOUT' || /timed? ?out/i.test(text)) return `${label}: timed out`;
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${label}: host not found`;
	if (/ECONNREFUSED/.test(text)) return `${label}: connection refused`;
	return `${label}: ${text || code || 'unknown error'}`;
}
