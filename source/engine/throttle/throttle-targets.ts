// What --replica-url and --queue-url name, parsed once at the edge (bad values are usage errors, exit 2).
//
// --replica-url   mysql://<user>[:<password>]@<host>[:<port>][/<any schema>]  (mariadb:// too; the schema is not used)
// --queue-url     redis://[[<user>]:<password>@]<host>[:<port>][/<db>][?queue=<name>][&prefix=<key prefix>]
//                   → LLEN <prefix>queues:<name>; queue defaults to "default" (Laravel's), db to 0, prefix to "".
//                   rediss:// connects with TLS.
//                 jobs | jobs:<queue>
//                   → SELECT COUNT(*) FROM jobs [WHERE queue = ?] on the platform database (Laravel's database queue).
import {parseDatabaseUrl, redactUrl} from '../../db/database-url.js';
import {UsageError} from '../../core/errors.js';
import {registerSecret} from '../../core/redact.js';

export type ReplicaTarget = {
	readonly host: string;
	readonly port: number;
	readonly user: string;
	readonly password: string;
	/** host:port, safe to print. */
	readonly label: string;
};

export type QueueTarget =
	| {
			readonly kind: 'redis';
			readonly host: string;
			readonly port: number;
			readonly db: number;
			readonly username: string | undefined;
			readonly password: string | undefined;
			readonly tls: boolean;
			readonly queue: string;
			/** The list Laravel pushes to: `<prefix>queues:<queue>`. */
			readonly key: string;
			/** host:port/db, safe to print. */
			readonly label: string;
	  }
	| {readonly kind: 'jobs'; readonly queue: string | null};

const queueHelp = 'Use redis://<host>:6379/<db>?queue=<name> (Redis list queues:<name>), or jobs / jobs:<queue> (the platform\'s jobs table).';

export function parseReplicaUrl(raw: string): ReplicaTarget {
	const value = raw.trim();
	if (!/^(mysql|mariadb):\/\//i.test(value)) {
		throw new UsageError(`--replica-url "${redactUrl(value)}" is not a mysql:// or mariadb:// URL.`, {hint: 'Use mysql://<user>:<password>@<replica host>:3306 (a user with REPLICATION CLIENT / REPLICA MONITOR).'});
	}

	// The probe only runs SHOW REPLICA STATUS: the schema is optional, so supply one when the URL names none.
	const withSchema = /^[a-z]+:\/\/[^/]+\/?$/i.test(value) ? `${value.replace(/\/$/, '')}/information_schema` : value;
	let target;
	try {
		target = parseDatabaseUrl(withSchema);
	} catch {
		throw new UsageError(`--replica-url "${redactUrl(value)}" is not a valid mysql:// URL.`, {hint: 'Use mysql://<user>:<password>@<replica host>:3306.'});
	}

	if (target.dialect !== 'mysql') {
		throw new UsageError(`--replica-url "${redactUrl(value)}" is not a mysql:// or mariadb:// URL.`, {hint: 'Use mysql://<user>:<password>@<replica host>:3306.'});
	}

	registerSecret(target.password);
	return {host: target.host, port: target.port, user: target.user, password: target.password, label: `${target.host}:${target.port}`};
}

export function parseQueueUrl(raw: string): QueueTarget {
	const value = raw.trim();
	const jobs = /^jobs(?::(.*))?$/.exec(value);
	if (jobs) {
		const queue = jobs[1];
		if (queue !== undefined && queue.trim() === '') {
			throw new UsageError(`--queue-url "${value}" names no queue after "jobs:".`, {hint: queueHelp});
		}

		return {kind: 'jobs', queue: queue?.trim() ?? null};
	}

	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new UsageError(`--queue-url "${redactUrl(value)}" is neither a redis:// URL nor jobs[:<queue>].`, {hint: queueHelp});
	}

	if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
		throw new UsageError(`--queue-url "${redactUrl(value)}" is neither a redis:// URL nor jobs[:<queue>].`, {hint: queueHelp});
	}

	if (url.hostname === '') {
		throw new UsageError(`--queue-url "${redactUrl(value)}" names no host.`, {hint: queueHelp});
	}

	const path = url.pathname.replace(/^\//, '');
	if (path !== '' && !/^\d+$/.test(path)) {
		throw new UsageError(`--queue-url "${redactUrl(value)}": the path must be a Redis database number, got "${path}".`, {hint: queueHelp});
	}

	const unknown = [...url.searchParams.keys()].filter(key => key !== 'queue' && key !== 'prefix');
	if (unknown.length > 0) {
		throw new UsageError(`--queue-url "${redactUrl(value)}": unknown parameter ${unknown.join(', ')}.`, {hint: queueHelp});
	}

	if (url.hash !== '') {
		throw new UsageError(`--queue-url "${redactUrl(value)}": name the queue with ?queue=<name>, not #.`, {hint: queueHelp});
	}

	const queue = url.searchParams.get('queue') ?? 'default';
	if (queue === '') {
		throw new UsageError(`--queue-url "${redactUrl(value)}": ?queue= is empty.`, {hint: queueHelp});
	}

	const password = url.password === '' ? undefined : decodeURIComponent(url.password);
	registerSecret(password);
	const port = url.port === '' ? 6379 : Number(url.port);
	const db = path === '' ? 0 : Number(path);
	return {
		kind: 'redis',
		host: url.hostname.replace(/^\[|\]$/g, ''),
		port,
		db,
		username: url.username === '' ? undefined : decodeURIComponent(url.username),
		password,
		tls: url.protocol === 'rediss:',
		queue,
		key: `${url.searchParams.get('prefix') ?? ''}queues:${queue}`,
		label: `${url.hostname}:${port}/${db}`,
	};
}
