import {DatabaseUnreachable, RunbookError, UsageError} from '../core/errors.js';
import {type DatabaseTarget, describeTarget} from './database-url.js';

// A connection lost in the middle of a run (server restarted, KILL CONNECTION, network cut) must surface as
// DatabaseUnreachable (exit 8, resumable — DESIGN.md §6, §10), never as an internal error. The drivers report it in
// many shapes (mysql2 codes and errnos, MikroORM's ConnectionException wrapping them, knex pool errors), so the
// mapping lives here, once.

const lostCodes = new Set([
	'PROTOCOL_CONNECTION_LOST',
	'PROTOCOL_SEQUENCE_TIMEOUT',
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'EPIPE',
	'ETIMEDOUT',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ENOTFOUND',
	'ER_SERVER_SHUTDOWN',
	'ER_CONNECTION_KILLED',
	'ER_CON_COUNT_ERROR',
	'CR_SERVER_GONE_ERROR',
	'CR_SERVER_LOST',
	'CR_CONNECTION_ERROR',
	'CR_CONN_HOST_ERROR',
]);

// ER_SERVER_SHUTDOWN 1053, ER_CON_COUNT_ERROR 1040, ER_CONNECTION_KILLED 1927 (MariaDB), ER_QUERY_INTERRUPTED 1317
// when the connection running the query is killed, client errors 2002/2003/2006/2013.
const lostErrnos = new Set([1053, 1040, 1927, 1317, 2002, 2003, 2006, 2013]);

const lostMessages = [
	/connection (?:was )?killed/i,
	/connection lost/i,
	/lost connection/i,
	/server has gone away/i,
	/server shutdown in progress/i,
	/can't add new command when connection is in closed state/i,
	/connection is in closed state/i,
	/socket has been ended/i,
	/read ECONNRESET/i,
	/connect ECONNREFUSED/i,
	/Timeout acquiring a connection/i,
	/Connection terminated/i,
	// knex, when a query follows one whose connection died inside the same transaction (the transaction is gone and
	// rolled back by the server: the batch never committed, the checkpoint before it stands).
	/Transaction query already complete/i,
];

/** True when the error (or one of its causes) says the database connection is gone. */
export function isConnectionLost(error: unknown): boolean {
	let current: unknown = error;
	for (let depth = 0; depth < 6 && current; depth++) {
		if (current instanceof DatabaseUnreachable) {
			return true;
		}

		const {code, errno, message, name} = current as {code?: unknown; errno?: unknown; message?: unknown; name?: unknown};
		if (typeof code === 'string' && lostCodes.has(code)) {
			return true;
		}

		if (typeof errno === 'number' && lostErrnos.has(errno)) {
			return true;
		}

		if (name === 'ConnectionException') {
			return true;
		}

		if (typeof message === 'string' && lostMessages.some(pattern => pattern.test(message))) {
			return true;
		}

		current = (current as {cause?: unknown}).cause ?? (current as {previous?: unknown}).previous;
	}

	return false;
}

/**
 * The error as the CLI should report it: a lost connection becomes DatabaseUnreachable (exit 8) saying the run can
 * be resumed; typed errors and anything else pass through unchanged.
 */
export function asDatabaseUnreachable(error: unknown, target?: DatabaseTarget): unknown {
	if (error instanceof RunbookError || !isConnectionLost(error)) {
		return error;
	}

	const where = target ? (target.dialect === 'sqlite' ? target.path : `${target.host}:${target.port}`) : 'the database';
	const reason = firstCode(error);
	const mapped = new DatabaseUnreachable(`Lost the connection to the database at ${where}${reason ? ` (${reason})` : ''}; the last committed batch is checkpointed.`, {
		hint: `Check that ${target ? describeTarget(target) : 'the server'} is up, then run the same command again to resume.`,
		cause: error,
	});
	return mapped;
}

function firstCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 6 && current; depth++) {
		const code = (current as {code?: unknown}).code;
		if (typeof code === 'string' && code !== '') {
			return code;
		}

		current = (current as {cause?: unknown}).cause ?? (current as {previous?: unknown}).previous;
	}

	return undefined;
}

/** A failure to connect, as the operator reads it: exit 8 naming host:port (never the password), or exit 2 for a bad session time zone. */
export function connectionError(target: DatabaseTarget, error: unknown, sessionTimeZone?: string): Error {
	const code = findCode(error);
	const where = target.dialect === 'sqlite' ? target.path : `${target.host}:${target.port}`;
	if (code === 'ER_UNKNOWN_TIME_ZONE') {
		return new UsageError(`The database server at ${where} does not know the session time zone "${sessionTimeZone ?? ''}" (--db-session-timezone).`, {
			hint: 'Give the zone the platform\'s database config names, as an offset such as +06:00, or load the server\'s time-zone tables (mariadb-tzinfo-to-sql) to use a named zone.',
		});
	}

	if (code === 'SQLITE_NOTADB') {
		return new UsageError(`${where} is not a SQLite database.`, {hint: 'Check --database-url: it names a file that SQLite cannot read as a database.'});
	}

	if (code?.startsWith('ER_ACCESS_DENIED')) {
		return new DatabaseUnreachable(`Access denied for user "${target.dialect === 'mysql' ? target.user : ''}" at ${where}.`, {
			hint: 'Check the user and password in --database-url / DATABASE_URL.',
		});
	}

	if (code === 'ER_BAD_DB_ERROR') {
		return new DatabaseUnreachable(`Database "${target.dialect === 'mysql' ? target.database : ''}" does not exist at ${where}.`, {
			hint: 'Check the database name in --database-url / DATABASE_URL.',
		});
	}

	return new DatabaseUnreachable(`Cannot reach the database at ${where} (${code ?? 'connection failed'}).`, {
		hint: `Check that the server at ${describeTarget(target)} is running and reachable; the run can be resumed once it is.`,
	});
}

function findCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current; depth++) {
		const code = (current as {code?: unknown}).code;
		if (typeof code === 'string') {
			return code;
		}

		current = (current as {cause?: unknown}).cause;
	}

	return undefined;
}
