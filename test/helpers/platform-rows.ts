import {type PlatformTable, platformColumns} from '../../source/db/platform-schema.js';
import type {Sql} from '../../source/db/sql.js';
import {insertRows} from '../../source/db/bulk-insert.js';

// Test rows on the real platform schema: a test names the columns its scenario is about, and this fills the NOT NULL
// columns without a default that it left out, the way the platform would (a role, a password hash, a creator, a
// post type and body, …), so the test stays about its scenario.

type Row = readonly unknown[];
type Filler = (value: (column: string) => unknown) => unknown;

/** A bcrypt-shaped placeholder for users.password (NOT NULL); not a real hash. */
export const passwordHash = '$2y$10$testtesttesttesttest00placeholder.not.a.real.hash.000';

/** Values for NOT NULL columns the platform always fills; `value(column)` reads the row's own columns. */
const fillers: Partial<Record<`${PlatformTable}.${string}`, Filler>> = {
	'users.role': () => 'student',
	'users.email': value => `user${String(value('id'))}@example.test`,
	'users.password': () => passwordHash,
	'personal_access_tokens.tokenable_type': () => String.raw`App\Models\User`,
	'personal_access_tokens.name': () => 'test-token',
	'certificates.identifier': value => `CERT-${String(value('id'))}`,
	'communities.slug': value => `community-${String(value('id'))}`,
	'communities.name': value => `Community ${String(value('id'))}`,
	/** The first user: the tests that insert communities insert user 1 (or turn the checks off, see below). */
	'communities.created_by': () => 1,
	'community_members.joined_at': value => value('created_at') ?? '2024-01-01 00:00:00',
	'community_posts.type': () => 'text',
	'community_posts.body_md': value => `Post ${String(value('id'))}`,
	'community_post_comments.body_md': value => `Comment ${String(value('id'))}`,
};

/**
 * `insertRows` for a platform table: rows in `columns` order, plus every NOT NULL column without a default that
 * `columns` leaves out, filled as above. A required column with no filler is a mistake in the test: it throws.
 */
export async function insertPlatformRows(sql: Sql, table: PlatformTable, columns: readonly string[], rows: readonly Row[]): Promise<number> {
	const missing = platformColumns(table).filter(column => !column.nullable && column.defaultValue === undefined && !column.autoIncrement && !columns.includes(column.name));
	const filled = missing.map(column => {
		const filler = fillers[`${table}.${column.name}`];
		if (!filler) {
			throw new Error(`insertPlatformRows: ${table}.${column.name} is NOT NULL without a default; give it a value.`);
		}

		return filler;
	});
	const complete = rows.map(row => {
		const value = (column: string) => row[columns.indexOf(column)];
		return [...row, ...filled.map(filler => filler(value))];
	});
	return insertRows(sql, table, [...columns, ...missing.map(column => column.name)], complete);
}

/**
 * Runs `work` with foreign key checks off, for a scenario the real schema's foreign keys forbid but a database can
 * still hold (a dump restored with FOREIGN_KEY_CHECKS=0, rows written before a key existed). MariaDB: the session
 * variable on one pinned connection (a transaction, joined if one is open). SQLite: the pragma, which only works
 * outside a transaction (inside one, the checks must already be off: the tool's connection has them on, as MikroORM
 * turns them on).
 */
export async function withoutForeignKeyChecks<T>(sql: Sql, work: (sql: Sql) => Promise<T>): Promise<T> {
	if (sql.dialect === 'mysql') {
		return sql.transaction(async tx => {
			const previous = await tx.get<{checks: number | string}>('SELECT @@session.foreign_key_checks AS checks');
			await tx.run('SET SESSION foreign_key_checks = 0');
			try {
				return await work(tx);
			} finally {
				await tx.run('SET SESSION foreign_key_checks = ?', [Number(previous?.checks ?? 1)]);
			}
		});
	}

	const enabled = Number((await sql.get<{foreign_keys: number}>('PRAGMA foreign_keys'))?.foreign_keys ?? 0) === 1;
	if (!enabled) {
		return work(sql);
	}

	if (sql.inTransaction) {
		throw new Error('withoutForeignKeyChecks: PRAGMA foreign_keys cannot change inside a transaction; call it before the transaction starts.');
	}

	await sql.run('PRAGMA foreign_keys = OFF');
	try {
		return await work(sql);
	} finally {
		await sql.run('PRAGMA foreign_keys = ON');
	}
}

/** The platform admin (user `id`, default 1) that communities.created_by points at, for tests about communities only. */
export async function insertAdminUser(sql: Sql, id = 1): Promise<void> {
	await insertPlatformRows(sql, 'users', ['id', 'role', 'email', 'name', 'created_at', 'updated_at'], [[id, 'admin', `admin${id}@example.test`, 'Platform Admin', '2020-01-01 00:00:00', '2020-01-01 00:00:00']]);
}

/** Users 1..`users` (user 1 the admin) and the communities `communityIds` created by user 1: what member rows reference. */
export async function insertMembershipParents(sql: Sql, users: number, communityIds: readonly number[]): Promise<void> {
	await insertAdminUser(sql);
	await insertPlatformRows(sql, 'users', ['id'], Array.from({length: users - 1}, (_, index) => [index + 2]));
	await insertPlatformRows(sql, 'communities', ['id'], communityIds.map(id => [id]));
}
