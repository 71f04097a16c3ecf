import {readFileSync} from 'node:fs';
import test from 'ava';
import {createPlatformSchema, platformDdl, platformTables} from '../../source/db/platform-schema.js';
import type {Sql} from '../../source/db/sql.js';
import {createTestDatabase, type TestDatabase} from '../helpers/databases.js';

// DESIGN.md §2: the demo and testing profiles create exactly the schema of ../shared/platform/schema-mariadb.sql.
// MariaDB: information_schema of createPlatformSchema's tables against that of the file loaded as it is. SQLite:
// the pragmas against the same MariaDB reference, translated (types aside: SQLite has its own).

const referenceFile = new URL('../../../shared/platform/schema-mariadb.sql', import.meta.url);

/** The file's statements, comments removed (none of its comments sits inside a string literal). */
function referenceStatements(): string[] {
	const text = readFileSync(referenceFile, 'utf8').replaceAll(/--.*$/gm, '');
	return text.split(';').map(statement => statement.trim()).filter(statement => statement.length > 0);
}

async function withReference(work: (reference: TestDatabase) => Promise<void>): Promise<void> {
	const reference = await createTestDatabase('mysql', {platform: false, runbookTables: false});
	try {
		for (const statement of referenceStatements()) {
			await reference.sql.run(statement);
		}

		await work(reference);
	} finally {
		await reference.destroy();
	}
}

type Catalogue = Record<'tables' | 'columns' | 'indexes' | 'foreignKeys' | 'checks', Array<Record<string, unknown>>>;

/** What information_schema says about the current schema, ordered, as plain strings. */
async function catalogue(sql: Sql): Promise<Catalogue> {
	const read = async (query: string) =>
		(await sql.all<Record<string, unknown>>(query)).map(row => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value === null ? null : String(value)])));
	const here = 'TABLE_SCHEMA = DATABASE()';
	return {
		tables: await read(`SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES WHERE ${here} ORDER BY TABLE_NAME`),
		columns: await read(`SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, COLLATION_NAME FROM information_schema.COLUMNS WHERE ${here} ORDER BY TABLE_NAME, ORDINAL_POSITION`),
		indexes: await read(`SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS WHERE ${here} ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`),
		foreignKeys: await read(`SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE
			FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
			WHERE k.${here} AND k.REFERENCED_TABLE_NAME IS NOT NULL ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME`),
		checks: await read(`SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME`),
	};
}

test('MariaDB: createPlatformSchema creates exactly the tables, columns, indexes and foreign keys of schema-mariadb.sql', async t => {
	const created = await createTestDatabase('mysql', {runbookTables: false});
	try {
		await withReference(async reference => {
			const expected = await catalogue(reference.sql);
			const actual = await catalogue(created.sql);
			// The reference is what it claims to be (so an empty or broken load cannot make both sides agree).
			t.is(expected.tables.length, 16);
			t.deepEqual(expected.tables.map(row => String(row.TABLE_NAME)).sort(), [...platformTables].sort());
			t.deepEqual(expected.columns.find(row => row.TABLE_NAME === 'users' && row.COLUMN_NAME === 'role'), {TABLE_NAME: 'users', COLUMN_NAME: 'role', ORDINAL_POSITION: '2', COLUMN_TYPE: 'varchar(100)', IS_NULLABLE: 'NO', COLUMN_DEFAULT: null, EXTRA: '', COLLATION_NAME: 'utf8mb4_unicode_ci'});
			t.like(expected.foreignKeys.find(row => row.CONSTRAINT_NAME === 'community_points_ledger_member_id_foreign'), {COLUMN_NAME: 'member_id', REFERENCED_TABLE_NAME: 'community_members', DELETE_RULE: 'CASCADE'});
			t.is(expected.foreignKeys.length, 21);
			for (const part of ['tables', 'columns', 'indexes', 'foreignKeys', 'checks'] as const) {
				t.deepEqual(actual[part], expected[part], part);
			}
		});
	} finally {
		await created.destroy();
	}
});

type TableInfo = {name: string; type: string; notnull: number; dflt_value: string | null; pk: number};

function sqliteTypeOf(columnType: string): string {
	return /^(?:big|tiny|small)?int\b/.test(columnType) ? 'INTEGER' : columnType.startsWith('decimal') ? 'NUMERIC' : 'TEXT';
}

test('SQLite: the same columns, NOT NULLs, defaults, enum checks, indexes and foreign keys as schema-mariadb.sql', async t => {
	const sqlite = await createTestDatabase('sqlite', {runbookTables: false});
	try {
		await withReference(async reference => {
			const expected = await catalogue(reference.sql);
			const foreignKeyNames = new Set(expected.foreignKeys.map(row => `${String(row.TABLE_NAME)}.${String(row.CONSTRAINT_NAME)}`));
			for (const table of platformTables) {
				const columns = expected.columns.filter(row => row.TABLE_NAME === table);
				const info = await sqlite.sql.all<TableInfo>(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info('${table}') ORDER BY cid`);
				t.deepEqual(
					info.map(row => ({name: row.name, type: row.type, notnull: Number(row.notnull), dflt_value: row.dflt_value, pk: Number(row.pk)})),
					columns.map(row => ({
						name: row.COLUMN_NAME,
						type: sqliteTypeOf(String(row.COLUMN_TYPE)),
						notnull: row.IS_NULLABLE === 'NO' ? 1 : 0,
						dflt_value: row.COLUMN_DEFAULT === 'NULL' ? null : row.COLUMN_DEFAULT,
						pk: row.COLUMN_NAME === 'id' ? 1 : 0,
					})),
					`${table} columns`,
				);

				const ddl = (await sqlite.sql.get<{sql: string}>(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, [table]))!.sql;
				for (const row of columns.filter(row => String(row.COLUMN_TYPE).startsWith('enum('))) {
					const values = String(row.COLUMN_TYPE).slice(5, -1).split(',').join(', ');
					t.true(ddl.includes(`CHECK (${String(row.COLUMN_NAME)} IN (${values}))`), `${table}.${String(row.COLUMN_NAME)} enum check`);
				}

				// MariaDB's own indexes aside: the primary key, and the one InnoDB adds under a foreign key's name.
				const expectedIndexes = new Map<string, {unique: number; columns: string[]}>();
				for (const row of expected.indexes.filter(row => row.TABLE_NAME === table && row.INDEX_NAME !== 'PRIMARY' && !foreignKeyNames.has(`${table}.${String(row.INDEX_NAME)}`))) {
					const index = expectedIndexes.get(String(row.INDEX_NAME)) ?? {unique: row.NON_UNIQUE === '0' ? 1 : 0, columns: []};
					index.columns.push(String(row.COLUMN_NAME));
					expectedIndexes.set(String(row.INDEX_NAME), index);
				}

				const actualIndexes = new Map<string, {unique: number; columns: string[]}>();
				for (const index of await sqlite.sql.all<{name: string; unique: number}>(`SELECT name, "unique" FROM pragma_index_list('${table}') WHERE origin = 'c'`)) {
					const columns = await sqlite.sql.all<{name: string}>(`SELECT name FROM pragma_index_info('${index.name}') ORDER BY seqno`);
					actualIndexes.set(index.name, {unique: Number(index.unique), columns: columns.map(column => column.name)});
				}

				t.deepEqual([...actualIndexes.entries()].sort(), [...expectedIndexes.entries()].sort(), `${table} indexes`);

				const foreignKeys = await sqlite.sql.all<{from: string; table: string; to: string; on_delete: string}>(`SELECT "from", "table", "to", on_delete FROM pragma_foreign_key_list('${table}') ORDER BY "from"`);
				t.deepEqual(
					foreignKeys.map(row => ({...row})),
					expected.foreignKeys
						.filter(row => row.TABLE_NAME === table)
						.map(row => ({from: String(row.COLUMN_NAME), table: String(row.REFERENCED_TABLE_NAME), to: String(row.REFERENCED_COLUMN_NAME), on_delete: String(row.DELETE_RULE)}))
						.sort((a, b) => a.from.localeCompare(b.from)),
					`${table} foreign keys`,
				);
			}
		});
	} finally {
		await sqlite.destroy();
	}
});

test('the DDL states the foreign keys of the points ledger by hand-checked text on both dialects', t => {
	const mysql = platformDdl('mysql').find(statement => statement.startsWith('CREATE TABLE `community_points_ledger`'))!;
	t.true(mysql.includes('CONSTRAINT `community_points_ledger_member_id_foreign` FOREIGN KEY (`member_id`) REFERENCES `community_members` (`id`) ON DELETE CASCADE'));
	const sqlite = platformDdl('sqlite').find(statement => statement.startsWith('CREATE TABLE community_points_ledger'))!;
	t.true(sqlite.includes('CONSTRAINT community_points_ledger_member_id_foreign FOREIGN KEY (member_id) REFERENCES community_members (id) ON DELETE CASCADE'));
	t.true(sqlite.includes('  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n'));
	t.true(platformDdl('sqlite').includes('CREATE INDEX community_points_ledger_member_idx ON community_points_ledger (community_id, member_id, occurred_at)'));
});

for (const dialect of ['sqlite', 'mysql'] as const) {
	test(`${dialect}: deleting a member row deletes its points history (foreign keys enforced)`, async t => {
		const database = await createTestDatabase(dialect, {runbookTables: false});
		try {
			const {sql} = database;
			if (dialect === 'sqlite') {
				await sql.run('PRAGMA foreign_keys = ON'); // as Laravel's SQLite connection does
			}

			await sql.run(`INSERT INTO users (id, role, email, password) VALUES (1, 'admin', 'a@example.test', 'x'), (2, 'student', 'b@example.test', 'x')`);
			await sql.run(`INSERT INTO communities (id, slug, name, created_by) VALUES (1, 'c', 'C', 1)`);
			await sql.run(`INSERT INTO community_members (id, community_id, user_id, joined_at) VALUES (1, 1, 2, '2026-01-01 00:00:00'), (2, 1, 1, '2026-01-01 00:00:00')`);
			await sql.run(`INSERT INTO community_points_ledger (community_id, member_id, action, points_delta, balance_after, source_type, source_id, occurred_at)
				VALUES (1, 1, 'post', 10, 10, 'community_post', 5, '2026-01-02 00:00:00'), (1, 1, 'comment', 4, 14, 'community_comment', 6, '2026-01-03 00:00:00'), (1, 2, 'post', 10, 10, 'community_post', 7, '2026-01-02 00:00:00')`);
			await sql.run('DELETE FROM community_members WHERE id = 1');
			t.deepEqual((await sql.all<{member_id: number}>('SELECT member_id FROM community_points_ledger ORDER BY id')).map(row => Number(row.member_id)), [2]);
			// communities.created_by is ON DELETE RESTRICT: the creator cannot be deleted.
			await t.throwsAsync(sql.run('DELETE FROM users WHERE id = 1'), {message: /foreign key/i});
			// users.role and users.password are NOT NULL without a default.
			await t.throwsAsync(sql.run(`INSERT INTO users (email, password) VALUES ('c@example.test', 'x')`), {message: /role/});
		} finally {
			await database.destroy();
		}
	});
}

test('MariaDB: createPlatformSchema replaces an older layout whose tables other tables still reference', async t => {
	const database = await createTestDatabase('mysql', {platform: false, runbookTables: false});
	try {
		const {sql} = database;
		await sql.run('CREATE TABLE users (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(255) NOT NULL) ENGINE=InnoDB');
		await sql.run('CREATE TABLE legacy_badges (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, user_id BIGINT UNSIGNED NOT NULL, CONSTRAINT legacy_badges_user_id_foreign FOREIGN KEY (user_id) REFERENCES users (id)) ENGINE=InnoDB');
		await createPlatformSchema(sql);
		await createPlatformSchema(sql); // and over itself, foreign keys and all
		const columns = await sql.all<{name: string}>(`SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' ORDER BY ORDINAL_POSITION LIMIT 3`);
		t.deepEqual(columns.map(row => row.name), ['id', 'role', 'email']);
		t.is(Number((await sql.get<{checks: number}>('SELECT @@session.foreign_key_checks AS checks'))?.checks), 1);
	} finally {
		await database.destroy();
	}
});

test('SQLite: createPlatformSchema drops tables full of rows with the foreign keys off, and turns them back on', async t => {
	const database = await createTestDatabase('sqlite', {runbookTables: false});
	try {
		const {sql} = database;
		t.is(Number((await sql.get<{foreign_keys: number}>('PRAGMA foreign_keys'))?.foreign_keys), 1, 'MikroORM turns them on');
		await sql.run(`INSERT INTO users (id, role, email, password) VALUES (1, 'admin', 'a@example.test', 'x')`);
		await sql.run(`INSERT INTO communities (id, slug, name, created_by) VALUES (1, 'c', 'C', 1)`);
		await sql.run(`INSERT INTO community_posts (id, community_id, author_id, type) VALUES (1, 1, 1, 'text')`);
		await sql.run(`INSERT INTO community_post_comments (id, community_id, post_id, author_id, parent_id, body_md) VALUES (1, 1, 1, 1, NULL, 'a'), (2, 1, 1, 1, 1, 'b')`);
		await createPlatformSchema(sql);
		t.is(Number((await sql.get<{n: number}>('SELECT COUNT(*) AS n FROM users'))?.n), 0);
		t.is(Number((await sql.get<{foreign_keys: number}>('PRAGMA foreign_keys'))?.foreign_keys), 1);
	} finally {
		await database.destroy();
	}
});
