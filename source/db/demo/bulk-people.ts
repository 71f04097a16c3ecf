import type {Sql} from '../sql.js';
import {type DemoLayout, demoPasswordHash} from './cast.js';
import type {Expressions} from './expressions.js';
import {type DemoJsonColumns, jsonVariants} from './json-columns.js';
import {insertInChunks, type Range, rowSource} from './row-source.js';
import {daySeconds} from './sizes.js';

// Bulk users, courses, enrollments and community_members: one `INSERT … SELECT` each over the numbers table,
// every value a deterministic integer function of the row number and the seed (see expressions.ts).

const firstNames = ['Ada', 'Ben', 'Chloe', 'David', 'Elif', 'Farah', 'Gabriel', 'Hana', 'Ivan', 'Jonas', 'Kofi', 'Lena', 'Mateo', 'Nora', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Vera', 'Wei', 'Yusuf'];
const lastNames = ['Alvarez', 'Brown', 'Chen', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jansen', 'Kowalski', 'Larsen', 'Moreau', 'Nakamura', 'Okafor', 'Patel', 'Rossi', 'Schmidt', 'Tanaka', 'Novak'];
const subjects = ['Algebra', 'Biology', 'Chemistry', 'Data Science', 'Economics', 'Film Studies', 'Geography', 'History', 'Interaction Design', 'Japanese', 'Kinesiology', 'Linear Algebra', 'Marketing', 'Nutrition', 'Organic Chemistry', 'Philosophy', 'Quantum Physics', 'Rhetoric', 'Statistics', 'Web Development'];

export async function insertBulkUsers(sql: Sql, layout: DemoLayout, x: Expressions): Promise<void> {
	const first = x.pick('s.h1', firstNames);
	const last = x.pick('s.h2', lastNames);
	const id = `(s.n + ${layout.firstBulkUser})`;
	const source = (range: Range) => rowSource(x, range, {h1: 11, h2: 12, h3: 13, h4: 14}, {created: x.timestamp(`${x.historyTime('h4')} - ${60 * daySeconds}`)});
	await insertInChunks(sql, layout.bulkUsers, range =>
		`INSERT INTO users (id, role, email, status, name, email_verified_at, password, created_at, updated_at)
		SELECT ${id}, ${x.weighted('s.h3', [[92, `'student'`], [98, `'instructor'`], [100, `'admin'`]])},
			${x.concat(`LOWER(${first})`, `'.'`, `LOWER(${last})`, id, `'@example.test'`)}, 1, ${x.concat(first, `' '`, last)},
			CASE WHEN s.h3 % 100 < 80 THEN ${x.timestamp(`${x.historyTime('s.h4')} - ${60 * daySeconds} + 3600 + s.h3 % 86400`)} END, ${x.text(demoPasswordHash)},
			s.created, s.created
		FROM ${source(range)}`,
	);
}

export async function insertCourses(sql: Sql, layout: DemoLayout, x: Expressions): Promise<void> {
	const source = (range: Range) => rowSource(x, range, {h1: 21}, {created: x.timestamp(`${x.historyTime('h1')} - ${90 * daySeconds}`)});
	await insertInChunks(sql, layout.size.courses, range =>
		`INSERT INTO courses (id, title, slug, short_description, course_type, status, level, language, created_at, updated_at)
		SELECT s.n + 1, ${x.concat(x.pick('s.n', subjects), `' '`, '101 + s.n')}, ${x.concat(`LOWER(REPLACE(${x.pick('s.n', subjects)}, ' ', '-'))`, `'-'`, '101 + s.n')},
			${x.concat(`'Course '`, 's.n + 1', `' of the demo catalogue.'`)}, 'general', 'active', ${x.pick('s.h1', ['beginner', 'intermediate', 'advanced'])}, 'english', s.created, s.created
		FROM ${source(range)}`,
	);
}

/**
 * Enrollments: 0.5 % NULL users, 0.3 % orphans, 0.2 % user 0, 0.1 % NULL courses, 2 % NULL entry_date; every 50th
 * row repeats the user and course of the row before it (duplicate enrollments), on top of chance repeats.
 */
export async function insertBulkEnrollments(sql: Sql, layout: DemoLayout, x: Expressions, firstId: number): Promise<void> {
	const base = `(n - CASE WHEN n % 50 = 49 AND n > 0 THEN 1 ELSE 0 END)`;
	const source = (range: Range) => rowSource(x, range,
		{h1: {salt: 31, of: base}, hu: {salt: 32, of: base}, hc: {salt: 33, of: base}, h3: 34, h5: 35},
		{t: x.historyTime('h5'), created: x.timestamp(`${x.historyTime('h5')} + h3 % 3600`)},
	);
	await insertInChunks(sql, layout.size.enrollments - firstId + 1, range =>
		`INSERT INTO enrollments (id, user_id, course_id, enrollment_type, entry_date, created_at, updated_at)
		SELECT s.n + ${firstId},
			CASE WHEN s.h1 % 1000 < 5 THEN NULL WHEN s.h1 % 1000 < 8 THEN ${layout.orphanUserBase + 10} + s.h1 % 500 WHEN s.h1 % 1000 < 10 THEN 0
				ELSE ${layout.firstBulkUser} + s.hu % ${layout.bulkUsers} END,
			CASE WHEN s.h1 % 1000 = 999 THEN NULL ELSE 1 + s.hc % ${layout.size.courses} END,
			CASE WHEN s.h3 % 7 = 0 THEN 'paid' ELSE 'free' END,
			CASE WHEN s.h3 % 100 < 2 THEN NULL ELSE s.t END,
			s.created, s.created
		FROM ${source(range)}`,
	);
}

/**
 * Existing memberships: community = n mod K, user = a permutation of the bulk users per community (stride coprime
 * with their count), so (community, user) stays unique. 72 % active, 8 % left, 7 % pending, 5 % banned, 8 %
 * soft-deleted; roles mostly member; 60 % carry metadata of their own, 50 % preferences. The JSON values are a few
 * variants, each stored (encrypted) once: the rows of a variant share its text, ciphertext included.
 */
export async function insertBulkMembers(sql: Sql, layout: DemoLayout, x: Expressions, firstId: number, json: DemoJsonColumns): Promise<void> {
	const communities = layout.size.communities;
	const stride = coprimeStride(layout.bulkUsers);
	const community = `(1 + s.n % ${communities})`;
	const userId = `(${layout.firstBulkUser} + (${x.idiv('s.n', communities)} * ${stride} + ${community} * 977) % ${layout.bulkUsers})`;
	const metadata = x.weighted('s.h4', jsonVariants(x, json, 'community_members.metadata', [
		[40, null],
		[70, '{"source":"signup"}'],
		[90, '{"source":"import","tags":["early-adopter"]}'],
		[100, '{"notifications":{"digest":"weekly"},"source":"invite"}'],
	]));
	const preferences = x.weighted('s.h1 + s.h4', jsonVariants(x, json, 'community_members.preferences', [
		[50, null],
		[80, '{"digest":"weekly"}'],
		[100, '{"digest":"daily","language":"en"}'],
	]));
	const source = (range: Range) => rowSource(x, range, {h1: 41, h2: 42, h3: 43, h4: 44}, {t: x.historyTime('h3'), joined: x.timestamp(x.historyTime('h3'))});
	await insertInChunks(sql, layout.size.bulkMembers, range =>
		`INSERT INTO community_members (id, community_id, user_id, role, status, joined_at, points, lifetime_points, level, preferences, metadata, created_at, updated_at, deleted_at)
		SELECT s.n + ${firstId}, ${community}, ${userId},
			${x.weighted('s.h2', [[80, `'member'`], [90, `'moderator'`], [97, `'admin'`], [100, `'owner'`]])},
			${x.weighted('s.h1', [[72, `'active'`], [80, `'left'`], [87, `'pending'`], [92, `'banned'`], [100, `'active'`]])},
			s.joined, s.h2 % 900, s.h2 % 900 + s.h3 % 500, 1 + ${x.idiv('s.h2 % 900', 300)}, ${preferences}, ${metadata}, s.joined, ${x.timestamp('s.t + s.h4 % 86400')},
			CASE WHEN s.h1 % 100 >= 92 THEN ${x.timestamp('s.t + 86400 + s.h4 % 86400')} END
		FROM ${source(range)}`,
	);
}

function coprimeStride(count: number): number {
	const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
	let stride = Math.floor(count * 0.618) + 1;
	while (gcd(stride, count) !== 1) {
		stride++;
	}

	return stride;
}
