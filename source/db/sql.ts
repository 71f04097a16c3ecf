import type {MikroORM} from '@mikro-orm/core';
import type {AbstractSqlConnection, Knex} from '@mikro-orm/knex';

export type Dialect = 'sqlite' | 'mysql';
export type Row = Record<string, unknown>;
export type RunResult = {readonly affectedRows: number; readonly insertId: number};

/**
 * Raw, parameterised SQL on the ORM's connection. Batch processors work set-based through this; the ORM is kept
 * for the schema, migrations and small reads. Placeholders are `?` on both dialects.
 */
export class Sql {
	constructor(
		readonly orm: MikroORM,
		readonly dialect: Dialect,
		private readonly context?: Knex.Transaction,
		/** SQLite: a connection of its own (a reader beside the ORM's single pooled one, see orm.ts). */
		private readonly ownConnection?: SqliteConnection,
	) {}

	/** SQLite: statements on `connection`, a node-sqlite3 Database opened beside the ORM's. */
	static onSqliteConnection(orm: MikroORM, connection: SqliteConnection): Sql {
		return new Sql(orm, 'sqlite', undefined, connection);
	}

	get inTransaction(): boolean {
		return this.context !== undefined;
	}

	async all<T = Row>(query: string, parameters: readonly unknown[] = []): Promise<T[]> {
		if (this.dialect === 'sqlite') {
			return (await this.bound(query, parameters)) as T[];
		}

		return this.connection.execute<T[] & Row[]>(query, [...parameters], 'all', this.context) as Promise<T[]>;
	}

	async get<T = Row>(query: string, parameters: readonly unknown[] = []): Promise<T | undefined> {
		const rows = await this.all<T>(query, parameters);
		return rows[0];
	}

	async run(query: string, parameters: readonly unknown[] = []): Promise<RunResult> {
		if (this.dialect === 'sqlite') {
			// The knex SQLite dialect answers a write with the sqlite3 Statement (lastID, changes), anything else with rows.
			const result = (await this.bound(query, parameters)) as {lastID?: number; changes?: number} | unknown[];
			return Array.isArray(result) ? {affectedRows: result.length, insertId: 0} : {affectedRows: Number(result.changes ?? 0), insertId: Number(result.lastID ?? 0)};
		}

		const result = await this.connection.execute<{affectedRows: number; insertId: number}>(query, [...parameters], 'run', this.context);
		return {affectedRows: Number(result.affectedRows ?? 0), insertId: Number(result.insertId ?? 0)};
	}

	/** One transaction; nested calls join the outer one. */
	async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
		if (this.context) {
			return work(this);
		}

		if (this.ownConnection) {
			throw new Error('A reader connection does not write.');
		}

		return this.connection.transactional(async trx => work(new Sql(this.orm, this.dialect, trx)));
	}

	/** `?, ?, ?` for n values. */
	static placeholders(count: number): string {
		return Array.from({length: count}, () => '?').join(', ');
	}

	/** `(?, ?), (?, ?)` for rows of width w. */
	static tuples(rows: number, width: number): string {
		const tuple = `(${Sql.placeholders(width)})`;
		return Array.from({length: rows}, () => tuple).join(', ');
	}

	/**
	 * SQLite: the statement with its values bound by the driver. MikroORM's `execute` inlines every value into the SQL
	 * text first (escaping each one), then knex lower-cases and scans the ~300 KB text of a 1,000-row insert to pick
	 * the call method: 2 s of JavaScript in the 1M legacy migration's CPU profile, and SQLite parses all of it.
	 */
	private async bound(query: string, parameters: readonly unknown[]): Promise<unknown> {
		if (this.ownConnection) {
			return runOn(this.ownConnection, query, parameters);
		}

		if (this.context) {
			return this.direct(query, parameters);
		}

		const raw = this.connection.getKnex().raw(query, parameters.map(bindable) as Knex.RawBinding[]);
		if (this.context) {
			raw.transacting(this.context);
		}

		return raw;
	}

	/**
	 * SQLite inside a transaction: the statement straight to the transaction's node-sqlite3 connection, bypassing
	 * knex's raw(), which rescans the bindings of an 8,000-value insert (replaceRawArrBindings) and lower-cases its
	 * ~300 KB text to pick the call method. (Statements prepared once and reused measured no faster and kept ~40 MiB
	 * more resident, their bound values included, so each call prepares its own.)
	 */
	private async direct(query: string, parameters: readonly unknown[]): Promise<unknown> {
		const transaction = this.context as unknown as {isCompleted(): boolean; client: {acquireConnection(): Promise<SqliteConnection>}};
		if (transaction.isCompleted()) {
			// knex refuses the same way: never run a batch's statement outside its (ended) transaction.
			throw new Error('Transaction query already complete, run with DEBUG=knex:tx for more info');
		}

		return runOn(await transaction.client.acquireConnection(), query, parameters);
	}

	private get connection(): AbstractSqlConnection {
		return this.orm.em.getConnection() as AbstractSqlConnection;
	}
}

/** What a read-only caller needs of `Sql`: `status` gets one over the bare driver (read-only-database.ts). */
export type SqlReader = Pick<Sql, 'dialect' | 'all' | 'get'>;

/** A SqlReader on a node-sqlite3 connection of its own. */
export function sqliteReader(connection: SqliteConnection): SqlReader {
	return {
		dialect: 'sqlite',
		async all<T>(query: string, parameters: readonly unknown[] = []) {
			return (await runOn(connection, query, parameters)) as T[];
		},
		async get<T>(query: string, parameters: readonly unknown[] = []) {
			return ((await runOn(connection, query, parameters)) as T[])[0];
		},
	};
}

/** A node-sqlite3 Database (the one under a knex SQLite transaction, or a reader). */
export type SqliteConnection = {
	run(query: string, parameters: unknown[], callback: (this: {lastID?: number; changes?: number}, error: Error | null) => void): void;
	all(query: string, parameters: unknown[], callback: (error: Error | null, rows: unknown[]) => void): void;
};

async function runOn(connection: SqliteConnection, query: string, parameters: readonly unknown[]): Promise<unknown> {
	const values = parameters.map(bindable);
	return new Promise((resolve, reject) => {
		if (isRunQuery(query)) {
			connection.run(query, values, function (error) {
				if (error) {
					reject(error);
				} else {
					resolve({lastID: this.lastID, changes: this.changes});
				}
			});
		} else {
			connection.all(query, values, (error, rows) => {
				if (error) {
					reject(error);
				} else {
					resolve(rows);
				}
			});
		}
	});
}

/**
 * node-sqlite3's `run` (lastID, changes) or `all` (rows), decided exactly as knex's SQLite dialect decides it, so a
 * statement answers the same on both paths (an `INSERT OR IGNORE` is an `all` there, with no row count).
 */
function isRunQuery(query: string): boolean {
	// Only the head is lower-cased: the text of a multi-row insert is ~300 KB.
	const head = query.trimStart().slice(0, 12).toLowerCase();
	if ((head.startsWith('insert into') || head.startsWith('update ')) && / returning /i.test(query)) {
		return false;
	}

	return head.startsWith('insert into') || head.startsWith('update') || head.startsWith('delete') || head.startsWith('truncate');
}

/** What MikroORM's inlining made of these values, so bound and inlined statements store the same thing. */
function bindable(value: unknown): unknown {
	if (value === undefined) {
		return null;
	}

	if (value instanceof Date) {
		return value.getTime();
	}

	if (typeof value === 'boolean') {
		return value ? 1 : 0;
	}

	if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
		return JSON.stringify(value);
	}

	return value;
}

/** MariaDB/MySQL and SQLite disagree on a few spellings; keep them here. */
export function dialectSql(dialect: Dialect) {
	return {
		jsonPatch: (target: string, patch: string) => (dialect === 'sqlite' ? `json_patch(${target}, ${patch})` : `JSON_MERGE_PATCH(${target}, ${patch})`),
		now: () => (dialect === 'sqlite' ? `strftime('%Y-%m-%d %H:%M:%S','now')` : `DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s')`),
		fromUnix: (expression: string) =>
			dialect === 'sqlite' ? `strftime('%Y-%m-%d %H:%M:%S', ${expression}, 'unixepoch')` : `DATE_FORMAT(FROM_UNIXTIME(${expression}), '%Y-%m-%d %H:%i:%s')`,
		/** JSON_EXTRACT of a string value, unquoted on both dialects. */
		jsonText: (column: string, path: string) => (dialect === 'sqlite' ? `json_extract(${column}, '${path}')` : `JSON_UNQUOTE(JSON_EXTRACT(${column}, '${path}'))`),
		concat: (...parts: string[]) => (dialect === 'sqlite' ? parts.join(' || ') : `CONCAT(${parts.join(', ')})`),
		upsertIgnore: dialect === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE',
	};
}
