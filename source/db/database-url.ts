import {z} from 'zod';
import {UsageError} from '../core/errors.js';

export type Profile = 'production' | 'testing' | 'demo';

export type ServerTarget = {
	readonly dialect: 'mysql';
	readonly host: string;
	readonly port: number;
	readonly user: string;
	readonly password: string;
	readonly database: string;
};

export type FileTarget = {
	readonly dialect: 'sqlite';
	readonly path: string;
};

export type DatabaseTarget = ServerTarget | FileTarget;

const serverUrl = z.url({protocol: /^(mysql|mariadb)$/, normalize: false});

/** Parses `mysql://`, `mariadb://` and `sqlite:<path>` URLs; anything else is a usage error naming the fix. */
export function parseDatabaseUrl(raw: string): DatabaseTarget {
	const value = raw.trim();
	if (value.startsWith('sqlite:')) {
		const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
		if (path === '') {
			throw new UsageError('--database-url "sqlite:" names no file.', {hint: 'Use sqlite:<path>, e.g. sqlite:storage/demo.sqlite.'});
		}

		return {dialect: 'sqlite', path};
	}

	if (!serverUrl.safeParse(value).success) {
		throw new UsageError(`--database-url "${redactUrl(value)}" is not a mysql://, mariadb:// or sqlite: URL.`, {
			hint: 'Use mysql://<user>@<host>:3306/<database> (with :<password> after the user if needed) or sqlite:<path>.',
		});
	}

	const url = new URL(value);
	const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
	if (database === '' || database.includes('/')) {
		throw new UsageError(`--database-url "${redactUrl(value)}" names no database.`, {
			hint: 'Add the schema name as the path, e.g. mysql://root@127.0.0.1:3306/platform.',
		});
	}

	const port = url.port === '' ? 3306 : Number(url.port);
	return {
		dialect: 'mysql',
		host: url.hostname,
		port,
		user: decodeURIComponent(url.username || 'root'),
		password: decodeURIComponent(url.password),
		database,
	};
}

/** Replaces the password (and any token-like query value) of a URL with "***" so it can be printed. */
export function redactUrl(value: string): string {
	return value.replace(/(\/\/[^:/@\s]*:)[^@/\s]*@/g, '$1***@');
}

export function describeTarget(target: DatabaseTarget): string {
	return target.dialect === 'sqlite' ? `sqlite:${target.path}` : `mysql://${target.user}@${target.host}:${target.port}/${target.database}`;
}
