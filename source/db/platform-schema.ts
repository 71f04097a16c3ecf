import {communityCoreTables} from './platform/community-core-tables.js';
import {communityEngagementTables} from './platform/community-engagement-tables.js';
import {lmsTables} from './platform/lms-tables.js';
import {type ColumnDefinition, parseColumn, type TableDefinition} from './platform/table-definition.js';
import type {Dialect, Sql, SqlReader} from './sql.js';

// The Laravel platform's tables exactly as its migrations create them (DESIGN.md §2; the reference is
// ../shared/platform/schema-mariadb.sql, translated into ./platform/*-tables.ts so the installed tool does not need
// it). Only the demo and testing profiles create them; production never does.
//
// MariaDB/MySQL get the file's DDL. SQLite gets the same columns in the same order with SQLite types (INTEGER for
// ids and integers, TEXT for strings, timestamps and JSON, NUMERIC for decimals, TEXT + CHECK for enums), the same
// NULL/NOT NULL and defaults, the same unique and plain indexes under the same names, and the foreign keys as
// `CONSTRAINT … REFERENCES … ON DELETE …` clauses. SQLite enforces those only on a connection that ran
// `PRAGMA foreign_keys = ON`: SQLite's own default is off; Laravel's SQLite connection turns it on by default, and so
// does MikroORM's (BaseSqliteConnection.connect), so the tool's connection enforces them as MariaDB does.

/** Every platform table, in creation order: a table's foreign keys point only at tables before it (or itself). */
export const platformTables = [
	'users',
	'personal_access_tokens',
	'courses',
	'enrollments',
	'certificates',
	'community_categories',
	'geo_places',
	'communities',
	'community_levels',
	'community_points_rules',
	'community_subscription_tiers',
	'community_members',
	'community_points_ledger',
	'community_posts',
	'community_post_comments',
	'profile_activities',
] as const;

export type PlatformTable = (typeof platformTables)[number];

const definitions: Record<PlatformTable, TableDefinition> = {...lmsTables, ...communityCoreTables, ...communityEngagementTables};

export type PlatformIndex = {readonly table: PlatformTable; readonly name: string; readonly columns: readonly string[]; readonly unique: boolean};

/** The columns of a platform table, in table order. */
export function platformColumns(table: PlatformTable): ColumnDefinition[] {
	return definitions[table].columns.map(definition => parseColumn(definition));
}

/** The unique and plain indexes of a platform table, by their Laravel names (the primary key aside). */
export function platformIndexes(table: PlatformTable): PlatformIndex[] {
	const {unique = {}, indexes = {}} = definitions[table];
	return [
		...Object.entries(unique).map(([name, columns]) => ({table, name, columns, unique: true})),
		...Object.entries(indexes).map(([name, columns]) => ({table, name, columns, unique: false})),
	];
}

export type PlatformForeignKey = {readonly table: PlatformTable; readonly name: string; readonly column: string; readonly references: string; readonly onDelete: string};

/** The foreign keys of a platform table, by constraint name; each references its table's `id`. */
export function platformForeignKeys(table: PlatformTable): PlatformForeignKey[] {
	return Object.entries(definitions[table].foreignKeys ?? {}).map(([name, [column, references, onDelete]]) => ({table, name, column, references, onDelete}));
}

const list = (columns: readonly string[], quote = '') => columns.map(column => `${quote}${column}${quote}`).join(', ');

function mysqlTable(table: PlatformTable): string {
	const lines = [
		...definitions[table].columns.map(definition => `\`${definition.replace(' ', '` ')}`),
		'PRIMARY KEY (`id`)',
		...platformIndexes(table).map(({name, columns, unique}) => `${unique ? 'UNIQUE KEY' : 'KEY'} \`${name}\` (${list(columns, '`')})`),
		...platformForeignKeys(table).map(({name, column, references, onDelete}) => `CONSTRAINT \`${name}\` FOREIGN KEY (\`${column}\`) REFERENCES \`${references}\` (\`id\`) ON DELETE ${onDelete}`),
	];
	return `CREATE TABLE \`${table}\` (\n  ${lines.join(',\n  ')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;
}

function sqliteType(column: ColumnDefinition): string {
	if (column.enumValues) {
		return 'TEXT';
	}

	if (/^(?:big|tiny|small)?int\b/.test(column.type)) {
		return 'INTEGER';
	}

	return column.type.startsWith('decimal') ? 'NUMERIC' : 'TEXT';
}

function sqliteColumn(column: ColumnDefinition): string {
	if (column.autoIncrement) {
		return `${column.name} INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT`;
	}

	const check = column.enumValues ? ` CHECK (${column.name} IN (${column.enumValues.map(value => `'${value}'`).join(', ')}))` : '';
	const defaultValue = column.defaultValue === undefined ? '' : ` DEFAULT ${column.defaultValue}`;
	return `${column.name} ${sqliteType(column)} ${column.nullable ? 'NULL' : 'NOT NULL'}${defaultValue}${check}`;
}

function sqliteTable(table: PlatformTable): string[] {
	const foreignKeys = platformForeignKeys(table).map(
		({name, column, references, onDelete}) => `CONSTRAINT ${name} FOREIGN KEY (${column}) REFERENCES ${references} (id) ON DELETE ${onDelete}`,
	);
	const body = [...platformColumns(table).map(column => sqliteColumn(column)), ...foreignKeys];
	return [
		`CREATE TABLE ${table} (\n  ${body.join(',\n  ')}\n)`,
		...platformIndexes(table).map(({name, columns, unique}) => `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${name} ON ${table} (${list(columns)})`),
	];
}

/** CREATE TABLE (and, on SQLite, CREATE INDEX) statements for the platform schema in the given dialect. */
export function platformDdl(dialect: Dialect): string[] {
	return platformTables.flatMap(table => (dialect === 'sqlite' ? sqliteTable(table) : [mysqlTable(table)]));
}

/**
 * Drops (if present) and recreates every platform table. Demo and tests only. Drops go child before parent, with the
 * foreign key checks off: on MariaDB on one pinned connection, so tables of an older layout (other foreign keys,
 * other names) drop too; on SQLite (outside a transaction) because with them on, DROP TABLE first deletes every row
 * one by one through the ON DELETE actions (community_post_comments.parent_id has no index of its own).
 */
export async function createPlatformSchema(sql: Sql): Promise<void> {
	const drops = [...platformTables].reverse().map(table => `DROP TABLE IF EXISTS ${table}`);
	if (sql.dialect === 'mysql') {
		await sql.transaction(async tx => {
			const previous = await tx.get<{checks: number | string}>('SELECT @@session.foreign_key_checks AS checks');
			await tx.run('SET SESSION foreign_key_checks = 0');
			try {
				for (const statement of drops) {
					await tx.run(statement);
				}
			} finally {
				await tx.run('SET SESSION foreign_key_checks = ?', [Number(previous?.checks ?? 1)]);
			}
		});
	} else {
		const enabled = !sql.inTransaction && Number((await sql.get<{foreign_keys: number}>('PRAGMA foreign_keys'))?.foreign_keys) === 1;
		if (enabled) {
			await sql.run('PRAGMA foreign_keys = OFF');
		}

		try {
			for (const statement of drops) {
				await sql.run(statement);
			}
		} finally {
			if (enabled) {
				await sql.run('PRAGMA foreign_keys = ON');
			}
		}
	}

	for (const statement of platformDdl(sql.dialect)) {
		await sql.run(statement);
	}
}

export async function existingTables(sql: SqlReader): Promise<Set<string>> {
	const rows =
		sql.dialect === 'sqlite'
			? await sql.all<{name: string}>(`SELECT name FROM sqlite_master WHERE type = 'table'`)
			: await sql.all<{name: string}>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()`);
	return new Set(rows.map(row => row.name));
}
