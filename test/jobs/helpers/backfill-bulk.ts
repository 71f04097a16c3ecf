import type {Sql} from '../../../source/db/sql.js';
import {insertPlatformRows, passwordHash} from '../../helpers/platform-rows.js';

// A large, deterministic classroom dataset generated set-based (INSERT … SELECT over a digits cross join), the same
// on SQLite and MariaDB: for the kill -9 test and the 1M-enrollment measurements.

export type BulkOptions = {readonly enrollments: number; readonly users?: number; readonly courses?: number; readonly communities?: number};

const digits = '(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';

/** `SELECT i FROM …` for i = 1..count (count ≤ 10^7). */
function sequence(count: number): string {
	const places = Math.max(1, Math.ceil(Math.log10(count)));
	const names = Array.from({length: places}, (_, index) => `p${index}`);
	const sum = names.map((name, index) => `${name}.d * ${10 ** index}`).join(' + ');
	return `SELECT ${sum} + 1 AS i FROM ${names.map(name => `${digits} ${name}`).join(' CROSS JOIN ')} WHERE ${sum} < ${count}`;
}

export async function generateBulkDataset(sql: Sql, options: BulkOptions): Promise<void> {
	const users = options.users ?? Math.max(10, Math.floor(options.enrollments / 4));
	const courses = options.courses ?? 200;
	const communities = options.communities ?? 40;
	const ts = `'2024-01-01 00:00:00'`;
	const concat = (...parts: string[]) => (sql.dialect === 'sqlite' ? parts.join(' || ') : `CONCAT(${parts.join(', ')})`);
	await sql.run(`INSERT INTO users (id, role, email, name, password, created_at, updated_at) SELECT s.i, 'student', ${concat(`'user'`, 's.i', `'@example.test'`)}, ${concat(`'User '`, 's.i')}, '${passwordHash}', ${ts}, ${ts} FROM (${sequence(users)}) s`);
	await sql.run(`INSERT INTO courses (id, title, created_at, updated_at) SELECT s.i, ${concat(`'Course '`, 's.i')}, ${ts}, ${ts} FROM (${sequence(courses)}) s`);
	// Community c links courses c, c+40, c+80 (object form, mixed roles); every 10th community has no links.
	const roles = ['Student', 'teacher', 'Facilitator', 'member', 'Owner'];
	const rows: unknown[][] = [];
	for (let id = 1; id <= communities; id++) {
		const links = id % 10 === 0 ? {} : Object.fromEntries([id, id + communities, id + 2 * communities].filter(course => course <= courses).map((course, index) => [String(course), {default_role: roles[(id + index) % roles.length]}]));
		rows.push([id, `community-${id}`, `Community ${id}`, JSON.stringify({classroom_links: links}), '2024-01-01 00:00:00', '2024-01-01 00:00:00']);
	}

	await insertPlatformRows(sql, 'communities', ['id', 'slug', 'name', 'settings', 'created_at', 'updated_at'], rows);
	// Enrollments: user spread by a stride, course by another; some NULL entry dates, a few NULL / orphan users.
	await sql.run(
		`INSERT INTO enrollments (id, user_id, course_id, entry_date, created_at, updated_at)
SELECT s.i,
  CASE WHEN s.i % 97 = 0 THEN NULL WHEN s.i % 89 = 0 THEN ${users} + s.i ELSE (s.i * 7919) % ${users} + 1 END,
  (s.i * 31) % ${courses} + 1,
  CASE WHEN s.i % 13 = 0 THEN NULL ELSE 1600000000 + (s.i * 7) % 100000000 END,
  ${ts}, ${ts}
FROM (${sequence(options.enrollments)}) s`,
	);
	// Some existing members in various states (every 50th user of community 1..9).
	await sql.run(
		`INSERT INTO community_members (community_id, user_id, role, status, joined_at, metadata, created_at, updated_at, deleted_at)
SELECT c.i, u.i * 50, CASE WHEN u.i % 3 = 0 THEN 'admin' ELSE 'member' END,
  CASE u.i % 5 WHEN 0 THEN 'banned' WHEN 1 THEN 'left' WHEN 2 THEN 'pending' ELSE 'active' END,
  '2030-01-01 00:00:00', '{"keep":1}', ${ts}, ${ts}, CASE WHEN u.i % 7 = 0 THEN ${ts} ELSE NULL END
FROM (${sequence(9)}) c CROSS JOIN (${sequence(Math.floor(users / 50))}) u`,
	);
}
