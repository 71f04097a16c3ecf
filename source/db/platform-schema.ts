import type {Dialect, Sql} from './sql.js';

// The Laravel platform's tables (DESIGN.md §2), as the platform created them, with a few realistic extra columns the
// tool must leave alone. Only the demo and testing profiles create them; production never does.

export const platformTables = [
	'users',
	'courses',
	'enrollments',
	'certificates',
	'communities',
	'community_categories',
	'community_levels',
	'community_points_rules',
	'community_members',
	'community_posts',
	'community_post_comments',
	'profile_activities',
	'personal_access_tokens',
] as const;

export type PlatformTable = (typeof platformTables)[number];

type Types = {id: string; fk: string; ts: string; json: string; text: string; bool: string; int: string; enumOf: (...values: string[]) => string};

const typesOf = (dialect: Dialect): Types =>
	dialect === 'sqlite'
		? {
				id: 'INTEGER PRIMARY KEY AUTOINCREMENT',
				fk: 'INTEGER',
				ts: 'TEXT',
				json: 'TEXT',
				text: 'TEXT',
				bool: 'INTEGER',
				int: 'INTEGER',
				enumOf: (...values) => `TEXT CHECK (%COL% IN (${values.map(v => `'${v}'`).join(', ')}))`,
			}
		: {
				id: 'BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY',
				fk: 'BIGINT UNSIGNED',
				ts: 'TIMESTAMP NULL DEFAULT NULL',
				json: 'JSON',
				text: 'TEXT',
				bool: 'TINYINT(1)',
				int: 'INT',
				enumOf: (...values) => `ENUM(${values.map(v => `'${v}'`).join(', ')})`,
			};

function column(name: string, type: string): string {
	return `${name} ${type.replace('%COL%', name)}`;
}

function tableDefinitions(t: Types): Record<PlatformTable, {columns: string[]; indexes: string[]}> {
	const timestamps = [`created_at ${t.ts}`, `updated_at ${t.ts}`];
	return {
		users: {
			columns: [`id ${t.id}`, 'name VARCHAR(255) NOT NULL', 'email VARCHAR(255) NOT NULL', `email_verified_at ${t.ts}`, 'password VARCHAR(255) NULL', "role VARCHAR(32) NOT NULL DEFAULT 'student'", 'remember_token VARCHAR(100) NULL', ...timestamps],
			indexes: ['UNIQUE (email)'],
		},
		courses: {columns: [`id ${t.id}`, 'title VARCHAR(255) NOT NULL', 'summary TEXT NULL', ...timestamps], indexes: []},
		enrollments: {
			columns: [`id ${t.id}`, `user_id ${t.fk} NULL`, `course_id ${t.fk} NULL`, `entry_date ${t.int === 'INT' ? 'INT UNSIGNED' : 'INTEGER'} NULL`, `progress ${t.int} NULL`, ...timestamps],
			indexes: ['INDEX enrollments_course_id_index (course_id)', 'INDEX enrollments_user_id_index (user_id)'],
		},
		certificates: {
			columns: [`id ${t.id}`, `user_id ${t.fk} NULL`, `course_id ${t.fk} NULL`, 'identifier VARCHAR(64) NOT NULL', ...timestamps],
			indexes: ['UNIQUE (identifier)'],
		},
		communities: {
			columns: [`id ${t.id}`, 'slug VARCHAR(255) NOT NULL', 'name VARCHAR(255) NOT NULL', 'description TEXT NULL', `settings ${t.json} NULL`, `launched_at ${t.ts}`, `created_by ${t.fk} NULL`, ...timestamps, `deleted_at ${t.ts}`],
			indexes: ['UNIQUE (slug)'],
		},
		community_categories: {
			columns: [`id ${t.id}`, 'slug VARCHAR(255) NOT NULL', 'name VARCHAR(255) NOT NULL', 'tagline VARCHAR(255) NULL', 'description TEXT NULL', 'icon_path VARCHAR(255) NULL', 'color_hex VARCHAR(7) NULL', `sort_order ${t.int} NOT NULL DEFAULT 0`, `is_active ${t.bool} NOT NULL DEFAULT 1`, ...timestamps],
			indexes: ['UNIQUE (slug)'],
		},
		community_levels: {
			columns: [`id ${t.id}`, `community_id ${t.fk} NULL`, `level ${t.int} NOT NULL`, 'name VARCHAR(255) NOT NULL', 'badge_path VARCHAR(255) NULL', `points_required ${t.int} NOT NULL DEFAULT 0`, 'description TEXT NULL', `rewards ${t.json} NULL`, `is_active ${t.bool} NOT NULL DEFAULT 1`, ...timestamps],
			indexes: ['UNIQUE (community_id, level)'],
		},
		community_points_rules: {
			columns: [`id ${t.id}`, `community_id ${t.fk} NULL`, 'action VARCHAR(64) NOT NULL', `points ${t.int} NOT NULL`, `cooldown_seconds ${t.int} NOT NULL DEFAULT 0`, `is_active ${t.bool} NOT NULL DEFAULT 1`, `conditions ${t.json} NULL`, `metadata ${t.json} NULL`, ...timestamps],
			indexes: ['UNIQUE (community_id, action)'],
		},
		community_members: {
			columns: [
				`id ${t.id}`,
				`community_id ${t.fk} NOT NULL`,
				`user_id ${t.fk} NOT NULL`,
				column('role', `${t.enumOf('owner', 'admin', 'moderator', 'member')} NOT NULL DEFAULT 'member'`),
				column('status', `${t.enumOf('active', 'pending', 'banned', 'left')} NOT NULL DEFAULT 'active'`),
				`joined_at ${t.ts === 'TEXT' ? 'TEXT NOT NULL' : 'TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP'}`,
				`points ${t.int} NOT NULL DEFAULT 0`,
				`metadata ${t.json} NULL`,
				...timestamps,
				`deleted_at ${t.ts}`,
			],
			indexes: ['UNIQUE (community_id, user_id)', 'INDEX community_members_user_id_index (user_id)'],
		},
		community_posts: {
			columns: [
				`id ${t.id}`,
				`community_id ${t.fk} NOT NULL`,
				`author_id ${t.fk} NULL`,
				column('type', `${t.enumOf('text', 'image', 'video', 'link', 'poll')} NOT NULL DEFAULT 'text'`),
				column('visibility', `${t.enumOf('community', 'public', 'paid')} NOT NULL DEFAULT 'community'`),
				'title VARCHAR(255) NULL',
				'body TEXT NULL',
				`published_at ${t.ts}`,
				...timestamps,
				`deleted_at ${t.ts}`,
			],
			indexes: ['INDEX community_posts_community_id_index (community_id)'],
		},
		community_post_comments: {
			columns: [`id ${t.id}`, `community_id ${t.fk} NOT NULL`, `post_id ${t.fk} NOT NULL`, `author_id ${t.fk} NULL`, 'body TEXT NULL', ...timestamps, `deleted_at ${t.ts}`],
			indexes: ['INDEX community_post_comments_post_id_index (post_id)'],
		},
		profile_activities: {
			columns: [
				`id ${t.id}`,
				`user_id ${t.fk} NOT NULL`,
				`community_id ${t.fk} NULL`,
				'activity_type VARCHAR(64) NOT NULL',
				'subject_type VARCHAR(64) NOT NULL',
				`subject_id ${t.fk} NOT NULL`,
				'idempotency_key VARCHAR(64) NOT NULL',
				`occurred_at ${t.ts === 'TEXT' ? 'TEXT NOT NULL' : 'TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP'}`,
				`context ${t.json} NULL`,
				...timestamps,
			],
			indexes: ['UNIQUE (idempotency_key)', 'INDEX profile_activities_user_feed_index (user_id, occurred_at, id)'],
		},
		personal_access_tokens: {
			columns: [`id ${t.id}`, 'tokenable_type VARCHAR(255) NOT NULL', `tokenable_id ${t.fk} NOT NULL`, 'name VARCHAR(255) NOT NULL', 'token VARCHAR(64) NOT NULL', 'abilities TEXT NULL', `last_used_at ${t.ts}`, `expires_at ${t.ts}`, ...timestamps],
			indexes: ['UNIQUE (token)', 'INDEX personal_access_tokens_tokenable_index (tokenable_type, tokenable_id)'],
		},
	};
}

/** CREATE TABLE statements for the platform schema in the given dialect. */
export function platformDdl(dialect: Dialect): string[] {
	const definitions = tableDefinitions(typesOf(dialect));
	const statements: string[] = [];
	for (const table of platformTables) {
		const {columns, indexes} = definitions[table];
		const inline = indexes.filter(index => index.startsWith('UNIQUE'));
		const separate = indexes.filter(index => index.startsWith('INDEX'));
		const body = [...columns, ...inline].join(',\n  ');
		statements.push(dialect === 'sqlite' ? `CREATE TABLE ${table} (\n  ${body}\n)` : `CREATE TABLE ${table} (\n  ${body}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
		for (const index of separate) {
			const [, name, columnsList] = /^INDEX (\S+) (\(.+\))$/.exec(index)!;
			statements.push(`CREATE INDEX ${name} ON ${table} ${columnsList}`);
		}
	}

	return statements;
}

/** Drops (if present) and recreates every platform table. Demo and tests only. */
export async function createPlatformSchema(sql: Sql): Promise<void> {
	for (const table of [...platformTables].reverse()) {
		await sql.run(`DROP TABLE IF EXISTS ${table}`);
	}

	for (const statement of platformDdl(sql.dialect)) {
		await sql.run(statement);
	}
}

export async function existingTables(sql: Sql): Promise<Set<string>> {
	const rows =
		sql.dialect === 'sqlite'
			? await sql.all<{name: string}>(`SELECT name FROM sqlite_master WHERE type = 'table'`)
			: await sql.all<{name: string}>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()`);
	return new Set(rows.map(row => row.name));
}
