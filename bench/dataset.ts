// The bench dataset: the demo generator when --rows equals a demo size's enrollments (tiny 300, small 100k, 1m),
// otherwise a scaled generator below, set-based (INSERT … SELECT over a numbers table), in the demo's proportions.
// Two variants, the caller's choice: `plain` (the encrypted JSON columns as plain JSON, `demo --legacy-plain`) and
// `encrypted` (envelopes under datasetAppKey(seed), as the platform writes them today; the tool then needs that key as
// APP_KEY). Bulk rows of the demo share one ciphertext per JSON variant: decrypting still costs per row.
import type {Database} from '../source/db/orm.js';
import {suspendForeignKeys} from '../source/db/demo/bulk-load.js';
import {type DemoAttributes, demoAppKey, demoAppKeys, generateDemo} from '../source/db/demo/generate-demo.js';
import {demoJsonColumns} from '../source/db/demo/json-columns.js';
import {sizeProfiles, type DemoSize} from '../source/db/demo/sizes.js';
import {createPlatformSchema} from '../source/db/platform-schema.js';
import {dialectSql, Sql} from '../source/db/sql.js';

export type DatasetVariant = 'plain' | 'encrypted';

/**
 * `demo`: the demo generator's shape (the demo itself at the demo sizes, the scaled generator otherwise): few pairs per
 * enrollment, most members already there. `dense`: nearly every enrollment is its own (community, user) pair, 10 % of
 * the pairs already members to reactivate (left / pending / soft-deleted) or update (joined later), a few banned.
 */
export type DatasetKind = 'demo' | 'dense';

export type DatasetSummary = {readonly generator: string; readonly variant: DatasetVariant; readonly rows: Record<string, number>; readonly seconds: number};

/** The APP_KEY (`base64:…`) the `encrypted` variant is written under: give it to the tool as APP_KEY. */
export function datasetAppKey(seed: number): string {
	return demoAppKey(seed);
}

function attributesOf(variant: DatasetVariant, seed: number): DemoAttributes {
	return variant === 'encrypted' ? {form: 'envelope', keys: demoAppKeys(seed)} : {form: 'plain'};
}

export function demoSizeFor(rows: number): DemoSize | undefined {
	return (Object.keys(sizeProfiles) as DemoSize[]).find(size => sizeProfiles[size].enrollments === rows);
}

export async function generateDataset(database: Database, rows: number, seed: number, variant: DatasetVariant = 'plain', kind: DatasetKind = 'demo'): Promise<DatasetSummary> {
	const started = performance.now();
	const size = demoSizeFor(rows);
	const attributes = attributesOf(variant, seed);
	if (kind === 'dense') {
		await generateDense(database.sql, rows, attributes, seed);
		return {generator: 'bench dense generator', variant, rows: await counts(database.sql), seconds: (performance.now() - started) / 1000};
	}

	if (size) {
		const summary = await generateDemo(database.sql, {size, seed, attributes});
		return {generator: `generateDemo(${size})`, variant, rows: summary.rows, seconds: (performance.now() - started) / 1000};
	}

	await generateScaled(database.sql, rows, attributes, seed);
	return {generator: 'bench scaled generator', variant, rows: await counts(database.sql), seconds: (performance.now() - started) / 1000};
}

async function counts(sql: Sql): Promise<Record<string, number>> {
	const result: Record<string, number> = {};
	for (const table of ['users', 'courses', 'communities', 'enrollments', 'community_members', 'community_posts', 'community_post_comments', 'certificates', 'profile_activities']) {
		const row = await sql.get<{n: unknown}>(`SELECT COUNT(*) AS n FROM ${table}`);
		result[table] = Number(row?.n ?? 0);
	}

	return result;
}

const courses = 500;
/** users.password is NOT NULL: a bcrypt-shaped placeholder, not a real hash. */
const benchPasswordHash = '$2y$10$benchbenchbenchbench00placeholder.not.a.real.hash.000';
const communities = 60;
const linksPerCommunity = 8;
const epoch = 1_640_995_200; // 2022-01-01
const span = 3 * 365 * 86_400;

/** i = 1..count, as a derived table over bench_numbers × bench_numbers (up to 10^8 rows). */
function sequence(count: number): string {
	return `(SELECT (a.n - 1) * 10000 + b.n AS i FROM bench_numbers a CROSS JOIN bench_numbers b WHERE a.n <= ${Math.ceil(count / 10_000)} AND (a.n - 1) * 10000 + b.n <= ${count}) s`;
}

/** The platform schema and the numbers table 1..10000 the generators select from. */
async function prepareTables(sql: Sql): Promise<void> {
	await createPlatformSchema(sql);
	await sql.run('DROP TABLE IF EXISTS bench_numbers');
	await sql.run('CREATE TABLE bench_numbers (n INTEGER NOT NULL PRIMARY KEY)');
	for (let start = 1; start <= 10_000; start += 1000) {
		const values = Array.from({length: 1000}, (_, index) => start + index);
		await sql.run(`INSERT INTO bench_numbers (n) VALUES ${Sql.tuples(values.length, 1)}`, values);
	}
}

/**
 * Loads inside one transaction with the foreign keys suspended: every 500th comment is by a user missing from users
 * (skipped by the jobs), which breaks the foreign key to users, as a dump restored with FOREIGN_KEY_CHECKS=0 is
 * (SQLite: the pragma outside the transaction; MariaDB: the session variable on the transaction's connection).
 */
async function load(sql: Sql, body: (tx: Sql) => Promise<void>): Promise<void> {
	const restoreSqliteKeys = sql.dialect === 'sqlite' ? await suspendForeignKeys(sql) : undefined;
	await sql
		.transaction(async tx => {
			const restoreMysqlKeys = tx.dialect === 'mysql' ? await suspendForeignKeys(tx) : undefined;
			try {
				await body(tx);
			} finally {
				await restoreMysqlKeys?.();
			}
		})
		.finally(async () => restoreSqliteKeys?.());
	await sql.run('DROP TABLE bench_numbers');
}

const time = (d: ReturnType<typeof dialectSql>, expression: string) => d.fromUnix(`${epoch} + (${expression})`);

/** Users 1..users, the courses, and 60 communities linking 8 courses each (course ids 1..480, each linked once). */
async function insertPeopleAndCommunities(tx: Sql, users: number, json: ReturnType<typeof demoJsonColumns>): Promise<void> {
	const d = dialectSql(tx.dialect);
	await tx.run(`INSERT INTO users (id, role, email, name, password, created_at, updated_at) SELECT i, 'student', ${d.concat("'user'", 'i', "'@bench.test'")}, ${d.concat("'User '", 'i')}, '${benchPasswordHash}', ${time(d, 'i * 37 % 86400')}, ${time(d, 'i * 37 % 86400')} FROM ${sequence(users)}`);
	await tx.run(`INSERT INTO courses (id, title, created_at, updated_at) SELECT i, ${d.concat("'Course '", 'i')}, ${time(d, '0')}, ${time(d, '0')} FROM ${sequence(courses)}`);
	const communityRows = Array.from({length: communities}, (_, index) => {
		const id = index + 1;
		const links = Array.from({length: linksPerCommunity}, (__, j) => ({course_id: ((index * linksPerCommunity + j) % courses) + 1, default_role: j === 0 ? 'teacher' : j === 1 ? 'assistant' : 'student'}));
		return [id, `bench-community-${id}`, `Bench community ${id}`, json.text('communities.settings', id, JSON.stringify({classroom_links: links})), 1, '2022-01-01 00:00:00', '2022-01-01 00:00:00'];
	});
	await tx.run(`INSERT INTO communities (id, slug, name, settings, created_by, created_at, updated_at) VALUES ${Sql.tuples(communityRows.length, 7)}`, communityRows.flat());
}

/** The legacy tables in the demo's proportions per enrollment: posts 1/20, comments 0.15, certificates 0.03. */
async function insertLegacyTables(tx: Sql, enrollments: number, users: number): Promise<void> {
	const d = dialectSql(tx.dialect);
	const posts = Math.max(1, Math.round(enrollments / 20));
	const comments = Math.max(1, Math.round(enrollments * 0.15));
	const certificates = Math.max(1, Math.round(enrollments * 0.03));
	await tx.run(
		`INSERT INTO community_posts (community_id, author_id, type, visibility, body_md, published_at, created_at, updated_at, deleted_at)
		SELECT 1 + i % ${communities}, 1 + (i * 13) % ${users}, CASE i % 5 WHEN 0 THEN 'text' WHEN 1 THEN 'image' WHEN 2 THEN 'video' WHEN 3 THEN 'link' ELSE 'poll' END,
		CASE i % 3 WHEN 0 THEN 'community' WHEN 1 THEN 'public' ELSE 'paid' END, ${d.concat("'Post '", 'i')},
		CASE WHEN i % 7 = 0 THEN NULL ELSE ${time(d, `(i * 7877) % ${span}`)} END, ${time(d, `(i * 7877) % ${span}`)}, ${time(d, `(i * 7877) % ${span}`)}, CASE WHEN i % 41 = 0 THEN ${time(d, '0')} END
		FROM ${sequence(posts)}`,
	);
	await tx.run(
		`INSERT INTO community_post_comments (community_id, post_id, author_id, body_md, created_at, updated_at, deleted_at)
		SELECT 1 + i % ${communities}, 1 + (i * 7) % ${posts}, CASE WHEN i % 500 = 0 THEN ${users} + i ELSE 1 + (i * 17) % ${users} END, ${d.concat("'Comment '", 'i')}, ${time(d, `(i * 7873) % ${span}`)}, ${time(d, `(i * 7873) % ${span}`)}, CASE WHEN i % 43 = 0 THEN ${time(d, '0')} END
		FROM ${sequence(comments)}`,
	);
	await tx.run(
		`INSERT INTO certificates (user_id, course_id, identifier, created_at, updated_at)
		SELECT CASE WHEN i % 300 = 0 THEN NULL ELSE 1 + (i * 19) % ${users} END, 1 + i % ${courses}, ${d.concat("'CERT-'", 'i')}, ${time(d, `(i * 7867) % ${span}`)}, ${time(d, `(i * 7867) % ${span}`)}
		FROM ${sequence(certificates)}`,
	);
}

/** Demo-like proportions per enrollment: users 1/50, posts 1/20, comments 0.15, certificates 0.03, members 1/50. */
async function generateScaled(sql: Sql, enrollments: number, attributes: DemoAttributes, seed: number): Promise<void> {
	const json = demoJsonColumns(attributes, seed);
	const d = dialectSql(sql.dialect);
	const users = Math.max(10, Math.round(enrollments / 50));
	await prepareTables(sql);
	await load(sql, async tx => {
		await insertPeopleAndCommunities(tx, users, json);
		// Every 1000th enrollment has no user, every 997th an unknown one; entry_date NULL every 101st.
		await tx.run(
			`INSERT INTO enrollments (user_id, course_id, entry_date, created_at, updated_at)
			SELECT CASE WHEN i % 1000 = 0 THEN NULL WHEN i % 997 = 0 THEN ${users} + i ELSE 1 + (i * 7919) % ${users} END,
			1 + (i * 104729) % ${courses}, CASE WHEN i % 101 = 0 THEN NULL ELSE ${epoch} + (i * 7901) % ${span} END, ${time(d, `(i * 7901) % ${span}`)}, ${time(d, `(i * 7901) % ${span}`)}
			FROM ${sequence(enrollments)}`,
		);
		// Existing members: one per user, some left / pending / banned / soft-deleted (reactivations and skips).
		await tx.run(
			`INSERT INTO community_members (community_id, user_id, role, status, joined_at, created_at, updated_at, deleted_at)
			SELECT 1 + i % ${communities}, 1 + (i * 31) % ${users}, 'member',
			CASE WHEN i % 53 = 0 THEN 'banned' WHEN i % 17 = 0 THEN 'pending' WHEN i % 10 = 0 THEN 'left' ELSE 'active' END,
			${time(d, `(i * 7901) % ${span}`)}, ${time(d, '0')}, ${time(d, '0')}, CASE WHEN i % 29 = 0 THEN ${time(d, '0')} END
			FROM ${sequence(users)}`,
		);
		await insertLegacyTables(tx, enrollments, users);
	});
}

/** Metadata of the dense dataset's pre-existing members that have some (merged into by the backfill, never dropped). */
export const denseMemberMetadata = JSON.stringify({source: 'import', tags: ['legacy'], backfill: {manual: {by: 'support'}}});

/**
 * The dense dataset: every enrollment its own (community, user) pair. Users 1..U (U = ⌈rows / 2⌉) each have two
 * enrollments (i = u and i = u + U), in communities (u mod 60) and (u + 7 mod 60), so the two never share a pair; the
 * course is one of the community's 8 linked courses. Every 1000th enrollment has no user, every 997th an unknown one,
 * entry_date is NULL every 101st (as in the scaled generator). The pairs of the enrollments with i mod 10 = 3 (10 %)
 * already have a member row: banned when i mod 500 = 3 (a few, never touched), else by i mod 40: 3 left, 13 pending,
 * 23 active but soft-deleted (these three are reactivated), 33 active, joined a day after the enrollment (updated:
 * joined_at moves earlier, role raised where the link's role is higher). Members with i mod 40 in (3, 33) hold
 * metadata (denseMemberMetadata) that the backfill merges into.
 */
async function generateDense(sql: Sql, enrollments: number, attributes: DemoAttributes, seed: number): Promise<void> {
	const json = demoJsonColumns(attributes, seed);
	const d = dialectSql(sql.dialect);
	const users = Math.max(10, Math.ceil(enrollments / 2));
	await prepareTables(sql);
	const u = `CASE WHEN i <= ${users} THEN i ELSE i - ${users} END`;
	const communityIndex = `((${u}) + CASE WHEN i <= ${users} THEN 0 ELSE 7 END) % ${communities}`;
	const course = `1 + (${communityIndex}) * ${linksPerCommunity} + ((${u}) * 3 + CASE WHEN i <= ${users} THEN 0 ELSE 1 END) % ${linksPerCommunity}`;
	const date = `(i * 7901) % ${span}`;
	const metadata = json.text('community_members.metadata', 'dense-existing', denseMemberMetadata)!;
	await load(sql, async tx => {
		await insertPeopleAndCommunities(tx, users, json);
		await tx.run(
			`INSERT INTO enrollments (user_id, course_id, entry_date, created_at, updated_at)
			SELECT CASE WHEN i % 1000 = 0 THEN NULL WHEN i % 997 = 0 THEN ${users} + i ELSE ${u} END,
			${course}, CASE WHEN i % 101 = 0 THEN NULL ELSE ${epoch} + ${date} END, ${time(d, date)}, ${time(d, date)}
			FROM ${sequence(enrollments)}`,
		);
		await tx.run(
			`INSERT INTO community_members (community_id, user_id, role, status, joined_at, metadata, created_at, updated_at, deleted_at)
			SELECT 1 + ${communityIndex}, ${u}, 'member',
			CASE WHEN i % 500 = 3 THEN 'banned' WHEN i % 40 = 3 THEN 'left' WHEN i % 40 = 13 THEN 'pending' ELSE 'active' END,
			${time(d, `${date} + 86400`)}, CASE WHEN i % 40 IN (3, 33) THEN ? END, ${time(d, '0')}, ${time(d, '0')}, CASE WHEN i % 40 = 23 AND i % 500 <> 3 THEN ${time(d, '0')} END
			FROM ${sequence(enrollments)} WHERE i % 10 = 3 AND i % 997 <> 0`,
			[metadata],
		);
		await insertLegacyTables(tx, enrollments, users);
	});
}
