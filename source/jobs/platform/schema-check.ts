import type {Sql} from '../../db/sql.js';
import type {CheckResult} from '../../engine/job.js';

// DESIGN.md §2: the platform's columns the tool relies on, checked against the database's own catalog before any
// write, so a missing table or column (or one of another kind) is named in step 1 instead of failing mid-run.

type Kind = 'integer' | 'text' | 'timestamp' | 'json';

const uses: Readonly<Record<string, Readonly<Record<string, Kind>>>> = {
	users: {id: 'integer', email: 'text', name: 'text', role: 'text', created_at: 'timestamp'},
	courses: {id: 'integer', title: 'text'},
	enrollments: {id: 'integer', user_id: 'integer', course_id: 'integer', entry_date: 'integer', created_at: 'timestamp'},
	certificates: {id: 'integer', user_id: 'integer', course_id: 'integer', identifier: 'text', created_at: 'timestamp'},
	communities: {id: 'integer', slug: 'text', name: 'text', settings: 'json', launched_at: 'timestamp', created_by: 'integer', created_at: 'timestamp', updated_at: 'timestamp', deleted_at: 'timestamp'},
	community_categories: {id: 'integer', slug: 'text', name: 'text', tagline: 'text', icon_path: 'text', color_hex: 'text', sort_order: 'integer', is_active: 'integer', created_at: 'timestamp', updated_at: 'timestamp'},
	community_levels: {id: 'integer', community_id: 'integer', level: 'integer', name: 'text', points_required: 'integer', is_active: 'integer', created_at: 'timestamp', updated_at: 'timestamp'},
	community_points_rules: {id: 'integer', community_id: 'integer', action: 'text', points: 'integer', cooldown_seconds: 'integer', is_active: 'integer', created_at: 'timestamp', updated_at: 'timestamp'},
	community_members: {id: 'integer', community_id: 'integer', user_id: 'integer', role: 'text', status: 'text', joined_at: 'timestamp', metadata: 'json', created_at: 'timestamp', updated_at: 'timestamp', deleted_at: 'timestamp'},
	community_posts: {id: 'integer', community_id: 'integer', author_id: 'integer', type: 'text', visibility: 'text', published_at: 'timestamp', created_at: 'timestamp', deleted_at: 'timestamp'},
	community_post_comments: {id: 'integer', community_id: 'integer', post_id: 'integer', author_id: 'integer', created_at: 'timestamp', deleted_at: 'timestamp'},
	profile_activities: {id: 'integer', user_id: 'integer', community_id: 'integer', activity_type: 'text', subject_type: 'text', subject_id: 'integer', idempotency_key: 'text', occurred_at: 'timestamp', context: 'json', created_at: 'timestamp', updated_at: 'timestamp'},
	personal_access_tokens: {id: 'integer', tokenable_type: 'text', tokenable_id: 'integer', name: 'text', token: 'text', abilities: 'text', last_used_at: 'timestamp', expires_at: 'timestamp', created_at: 'timestamp', updated_at: 'timestamp'},
};

export const platformTablesUsed = Object.keys(uses);

/** SQLite declares types loosely (TEXT timestamps, TEXT JSON); MariaDB/MySQL strictly. Both map to a kind. */
function kindOf(dialect: Sql['dialect'], declared: string): Kind | 'other' {
	const type = declared.toLowerCase();
	if (/int|bool/.test(type)) {
		return 'integer';
	}

	if (/timestamp|datetime/.test(type)) {
		return 'timestamp';
	}

	if (/json|longtext/.test(type)) {
		return 'json';
	}

	if (/char|text|enum|clob/.test(type)) {
		return dialect === 'sqlite' ? 'text' : 'text';
	}

	return 'other';
}

function compatible(dialect: Sql['dialect'], expected: Kind, actual: Kind | 'other'): boolean {
	if (actual === expected) {
		return true;
	}

	// SQLite stores timestamps and JSON as TEXT; MariaDB's JSON is LONGTEXT, so text also passes for json.
	return (dialect === 'sqlite' && actual === 'text' && (expected === 'timestamp' || expected === 'json')) || (expected === 'json' && actual === 'text') || (expected === 'text' && actual === 'json');
}

/** One check per table: present, with every column the tool uses, of a compatible type. */
export async function checkPlatformSchema(sql: Sql, tables: readonly string[] = platformTablesUsed): Promise<CheckResult['checks'][number][]> {
	const columns = await catalog(sql, tables);
	return tables.map(table => {
		const found = columns.get(table);
		if (!found) {
			return {name: `table ${table}`, ok: false, detail: `the ${table} table is missing (the platform's migrations have not run on this database)`};
		}

		const problems = Object.entries(uses[table] ?? {}).flatMap(([column, kind]) => {
			const declared = found.get(column);
			if (declared === undefined) {
				return [`column ${column} is missing`];
			}

			return compatible(sql.dialect, kind, kindOf(sql.dialect, declared)) ? [] : [`column ${column} is ${declared}, expected ${kind}`];
		});
		return {name: `table ${table}`, ok: problems.length === 0, detail: problems.length === 0 ? 'present' : problems.join('; ')};
	});
}

async function catalog(sql: Sql, tables: readonly string[]): Promise<Map<string, Map<string, string>>> {
	const result = new Map<string, Map<string, string>>();
	if (sql.dialect === 'sqlite') {
		for (const table of tables) {
			const rows = await sql.all<{name: string; type: string}>('SELECT name, type FROM pragma_table_info(?)', [table]);
			if (rows.length > 0) {
				result.set(table, new Map(rows.map(row => [String(row.name), String(row.type)])));
			}
		}

		return result;
	}

	const rows = await sql.all<{table_name: string; column_name: string; column_type: string}>(
		`SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, COLUMN_TYPE AS column_type FROM information_schema.columns WHERE table_schema = DATABASE() AND TABLE_NAME IN (${tables.map(() => '?').join(', ')})`,
		[...tables],
	);
	for (const row of rows) {
		const table = String(row.table_name);
		result.set(table, (result.get(table) ?? new Map()).set(String(row.column_name), String(row.column_type)));
	}

	return result;
}
