// (a) The single-statement limit: what the database needs to write the SAME final rows as the job, in one
// transaction, without batches, checkpoints, undo or evidence. The tool's job is measured against it.
//
// The same work as the job, on both databases:
// - SHA-1 idempotency keys. SQLite has no SHA1() and node-sqlite3 cannot register functions, so the keys are computed
//   in TypeScript (node:crypto) INSIDE the timed part: the pre-images are selected, hashed, and multi-row inserted
//   into a key table, which the one INSERT … SELECT then joins. MariaDB does the same (one code path, one cost).
// - Member metadata in the form the job writes it (plain JSON, or the envelope under the platform's key: encrypted
//   in TypeScript per row, into the same key table), merged into an existing member's metadata (decrypted first).
// - The job's reactivations and updates of existing members: one UPDATE joined to the pairs and the key table.
// - Legacy activity: new keys inserted, existing keys updated when their content differs, and rows whose subject the
//   platform's feed already shows under another key (DESIGN.md §3.3) left out, in one INSERT … SELECT upsert.
import type {PlatformSettings} from '../source/core/platform-settings.js';
import {isoSeconds} from '../source/core/timestamps.js';
import type {Database} from '../source/db/orm.js';
import {type Dialect, Sql} from '../source/db/sql.js';
import {idempotencyKey as activityKey} from '../source/jobs/legacy-activity/activity.js';
import {idempotencyKey as memberKey} from '../source/jobs/backfill/member-writes.js';
import {classifiedColumns, linksTable, memberJoin, pairAggregation} from '../source/jobs/backfill/pair-sql.js';
import {loadCommunityLinks, rolePriority} from '../source/jobs/classroom-links.js';
import {jsonColumns, writeFormOf} from '../source/jobs/platform/json-columns.js';
import {entryDateLocalSeconds, platformTime} from '../source/jobs/platform/local-time.js';

export type SingleStatementResult = {readonly statement: string; readonly inserted: number; readonly updated: number; readonly keys: number; readonly seconds: number};

/** The run's fixed values, as the job stamps them: its id and its start. */
export type SingleStatementRun = {readonly runId: string; readonly startedAt: Date};

/** Rows per key-table INSERT (SQLite binds at most 32,766 values; 8,000 placeholders like the job's writers). */
const keyChunk = 4000;
/** Pairs read back per page to compute their keys and metadata (bounded memory at 1M pairs). */
const pageSize = 10_000;

function temporary(dialect: Dialect): string {
	return dialect === 'sqlite' ? 'CREATE TEMP TABLE' : 'CREATE TEMPORARY TABLE';
}

function autoId(dialect: Dialect): string {
	return dialect === 'sqlite' ? 'id INTEGER PRIMARY KEY' : 'id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY';
}

function text(dialect: Dialect): string {
	return dialect === 'sqlite' ? 'TEXT' : 'LONGTEXT';
}

async function insertChunked(tx: Sql, table: string, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): Promise<void> {
	const perStatement = Math.max(1, Math.floor((keyChunk * 2) / columns.length));
	for (let start = 0; start < rows.length; start += perStatement) {
		const slice = rows.slice(start, start + perStatement);
		await tx.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Sql.tuples(slice.length, columns.length)}`, slice.flat());
	}
}

const roleCase = (priority: string) => `CASE ${priority} WHEN 4 THEN 'owner' WHEN 3 THEN 'admin' WHEN 2 THEN 'moderator' ELSE 'member' END`;
const memberPriority = (role: string) => `CASE ${role} ${Object.entries(rolePriority).map(([name, priority]) => `WHEN '${name}' THEN ${priority}`).join(' ')} ELSE 1 END`;

/**
 * The backfill's final rows in one transaction: the classified pairs into a work table (one INSERT … SELECT), their
 * keys and metadata computed in TypeScript into a key table, then one INSERT … SELECT of the created members and one
 * UPDATE of the reactivated / updated ones. Links are read before the clock starts (the job reads them before its
 * first batch too).
 */
export async function singleStatementBackfill(database: Database, platform: PlatformSettings, run: SingleStatementRun = {runId: 'bench', startedAt: new Date()}): Promise<SingleStatementResult> {
	const {sql} = database;
	const d = sql.dialect;
	const {communities} = await loadCommunityLinks(sql, {keys: platform.keys});
	const links = communities.flatMap(community => community.links);
	const form = await writeFormOf(sql, platform);
	const columns = jsonColumns(platform, form);
	const now = platformTime(platform, run.startedAt);
	const syncedAt = isoSeconds(run.startedAt);
	const start = platformTime(platform, run.startedAt);
	const pairs = pairAggregation(d, linksTable(d, links), Number.MAX_SAFE_INTEGER, {entryLocal: await entryDateLocalSeconds(sql, platform), runStartLocalSeconds: Date.parse(`${start.replace(' ', 'T')}Z`) / 1000});
	const statements: string[] = [];
	const started = performance.now();
	const result = await sql.transaction(async tx => {
		await tx.run('DROP TABLE IF EXISTS bench_pairs');
		await tx.run('DROP TABLE IF EXISTS bench_keys');
		await tx.run(
			`${temporary(d)} bench_pairs (${autoId(d)}, action VARCHAR(16) NOT NULL, community_id BIGINT NOT NULL, user_id BIGINT NOT NULL, target_priority INTEGER NOT NULL, target_joined_at VARCHAR(19) NOT NULL, first_course_id BIGINT NOT NULL, member_id BIGINT NULL, member_joined_text VARCHAR(19) NULL)`,
		);
		await tx.run(`${temporary(d)} bench_keys (id BIGINT NOT NULL PRIMARY KEY, metadata ${text(d)} NOT NULL)`);
		const fill = `INSERT INTO bench_pairs (action, community_id, user_id, target_priority, target_joined_at, first_course_id, member_id, member_joined_text)
SELECT c.action, c.community_id, c.user_id, c.target_priority, c.target_joined_at, c.first_course_id, c.member_id, c.member_joined_text
FROM (SELECT ${classifiedColumns(d)} FROM (${pairs.sql}) p ${memberJoin}) c
WHERE c.action IN ('create', 'reactivate', 'update')
ORDER BY c.community_id, c.user_id`;
		statements.push(fill);
		await tx.run(fill, pairs.params);
		let keys = 0;
		for (let after = 0; ; ) {
			const page = await tx.all<{id: unknown; community_id: unknown; user_id: unknown; first_course_id: unknown; member_id: unknown; metadata: unknown}>(
				`SELECT p.id, p.community_id, p.user_id, p.first_course_id, p.member_id, m.metadata FROM bench_pairs p LEFT JOIN community_members m ON m.id = p.member_id WHERE p.id > ? ORDER BY p.id LIMIT ${pageSize}`,
				[after],
			);
			if (page.length === 0) break;
			after = Number(page.at(-1)!.id);
			const rows = page.map(row => {
				const memberId = row.member_id === null || row.member_id === undefined ? null : Number(row.member_id);
				const base = memberId === null ? {} : columns.read(row.metadata, {table: 'community_members', column: 'metadata', rowId: memberId});
				const backfill = base.backfill && typeof base.backfill === 'object' && !Array.isArray(base.backfill) ? (base.backfill as Record<string, unknown>) : {};
				const communityId = Number(row.community_id);
				const userId = Number(row.user_id);
				const courseId = Number(row.first_course_id);
				const classrooms = {course_id: courseId, source: 'classrooms', idempotency_key: memberKey(communityId, userId, courseId), synced_at: syncedAt, run_id: run.runId};
				return [Number(row.id), columns.write({...base, backfill: {...backfill, classrooms}})];
			});
			await insertChunked(tx, 'bench_keys', ['id', 'metadata'], rows);
			keys += rows.length;
		}

		const insert = `INSERT INTO community_members (community_id, user_id, role, status, joined_at, metadata, created_at, updated_at)
SELECT p.community_id, p.user_id, ${roleCase('p.target_priority')}, 'active', p.target_joined_at, k.metadata, ?, ?
FROM bench_pairs p JOIN bench_keys k ON k.id = p.id
WHERE p.action = 'create'
ORDER BY p.id`;
		statements.push(insert);
		const inserted = await tx.run(insert, [now, now]);
		const role = `CASE WHEN ${memberPriority('community_members.role')} >= p.target_priority THEN community_members.role ELSE ${roleCase('p.target_priority')} END`;
		const joined = 'CASE WHEN p.member_joined_text IS NOT NULL AND p.member_joined_text <= p.target_joined_at THEN community_members.joined_at ELSE p.target_joined_at END';
		const update =
			d === 'sqlite'
				? `UPDATE community_members SET role = ${role}, status = 'active', joined_at = ${joined}, deleted_at = NULL, metadata = k.metadata
FROM bench_pairs p JOIN bench_keys k ON k.id = p.id
WHERE community_members.id = p.member_id AND p.action IN ('reactivate', 'update')`
				: `UPDATE community_members JOIN bench_pairs p ON p.member_id = community_members.id JOIN bench_keys k ON k.id = p.id
SET community_members.role = ${role}, community_members.status = 'active', community_members.joined_at = ${joined}, community_members.deleted_at = NULL, community_members.metadata = k.metadata
WHERE p.action IN ('reactivate', 'update')`;
		statements.push(update);
		const updated = await tx.run(update);
		await tx.run('DROP TABLE bench_pairs');
		await tx.run('DROP TABLE bench_keys');
		return {inserted: inserted.affectedRows, updated: updated.affectedRows, keys};
	});
	return {statement: statements.join(';\n'), ...result, seconds: (performance.now() - started) / 1000};
}

type LegacyKind = 1 | 2 | 3;
const kindNames: Record<LegacyKind, 'community_post' | 'community_comment' | 'course_completion'> = {1: 'community_post', 2: 'community_comment', 3: 'course_completion'};

/**
 * The legacy migration's final rows in one transaction: the keys of every source row the job would convert (posts,
 * comments, certificates × linking communities) computed in TypeScript into a key table, then one INSERT … SELECT
 * upsert over the three sources joined to it.
 */
export async function singleStatementLegacy(database: Database, platform: PlatformSettings, run: SingleStatementRun = {runId: 'bench', startedAt: new Date()}): Promise<SingleStatementResult> {
	const {sql} = database;
	const d = sql.dialect;
	const now = platformTime(platform, run.startedAt);
	const {communities} = await loadCommunityLinks(sql, {keys: platform.keys});
	const byCourse = new Map<number, number[]>();
	for (const link of communities.flatMap(community => community.links)) {
		const list = byCourse.get(link.courseId) ?? [];
		if (!list.includes(link.communityId)) list.push(link.communityId);
		byCourse.set(link.courseId, list);
	}

	const linkRows = [...byCourse.entries()].flatMap(([course, ids]) => ids.map(id => [course, id] as const));
	const linkTable =
		linkRows.length === 0
			? 'SELECT NULL AS course_id, NULL AS community_id FROM users WHERE 1 = 0'
			: d === 'sqlite'
				? `SELECT column1 AS course_id, column2 AS community_id FROM (VALUES ${linkRows.map(() => '(?, ?)').join(', ')})`
				: linkRows.map((_, index) => (index === 0 ? 'SELECT ? AS course_id, ? AS community_id' : 'SELECT ?, ?')).join(' UNION ALL ');
	const object = (entries: ReadonlyArray<readonly [string, string]>) =>
		d === 'sqlite' ? `json_object(${entries.map(([key, value]) => `'${key}', ${value}`).join(', ')})` : `CONCAT('{', ${entries.map(([key, value], index) => `'${index === 0 ? '' : ','}"${key}":', COALESCE(JSON_QUOTE(${value}), 'null')`).join(', ')}, '}')`;
	const number = (value: string) => (d === 'sqlite' ? value : `CAST(${value} AS CHAR)`);
	const numberObject = (entries: ReadonlyArray<readonly [string, string, 'text' | 'number']>) =>
		d === 'sqlite'
			? object(entries.map(([key, value]) => [key, value] as const))
			: `CONCAT('{', ${entries.map(([key, value, kind], index) => `'${index === 0 ? '' : ','}"${key}":', COALESCE(${kind === 'text' ? `JSON_QUOTE(${value})` : number(value)}, 'null')`).join(', ')}, '}')`;
	const same = (a: string, b: string) => (d === 'sqlite' ? `${a} IS ${b}` : `${a} <=> ${b}`);
	// NULL, '' and zero dates count as missing (the job's timestampOrNull); MariaDB's TIMESTAMP cannot hold '' and
	// refuses to compare with it, so there the text of the value is compared.
	const occurred = (expression: string) =>
		d === 'sqlite'
			? `CASE WHEN ${expression} IS NULL OR ${expression} = '' OR ${expression} LIKE '0000-00-00%' THEN NULL ELSE ${expression} END`
			: `CASE WHEN ${expression} IS NULL OR CAST(${expression} AS CHAR) LIKE '0000-00-00%' THEN NULL ELSE ${expression} END`;
	// A new row whose subject the feed already shows for the same user under another key is not written (§3.3);
	// a row under its own key is upserted whatever the feed holds.
	const notDuplicate = (subjectType: string, user: string, community: string | null) =>
		`(EXISTS (SELECT 1 FROM profile_activities o WHERE o.idempotency_key = k.idempotency_key) OR NOT EXISTS (SELECT 1 FROM profile_activities f WHERE f.subject_type = '${subjectType}' AND f.subject_id = s.id AND f.user_id = ${user} AND f.idempotency_key <> k.idempotency_key${community ? ` AND ${same('f.community_id', community)}` : ''}))`;
	const select = `SELECT 1 AS source, s.id AS subject_sort, 0 AS community_sort, s.author_id AS user_id, s.community_id AS community_id, 'community_post.published' AS activity_type, 'community_post' AS subject_type, s.id AS subject_id, k.idempotency_key AS idempotency_key,
  ${occurred('COALESCE(s.published_at, s.created_at)')} AS occurred_at, ${object([['type', 's.type'], ['visibility', 's.visibility']])} AS context
FROM community_posts s JOIN users u ON u.id = s.author_id JOIN bench_keys k ON k.kind = 1 AND k.subject_id = s.id AND k.community_id = s.community_id
WHERE s.deleted_at IS NULL AND s.author_id > 0 AND ${notDuplicate('community_post', 's.author_id', null)}
UNION ALL
SELECT 2, s.id, 0, s.author_id, s.community_id, 'community_comment.posted', 'community_comment', s.id, k.idempotency_key,
  ${occurred('s.created_at')}, ${numberObject([['post_id', 's.post_id', 'number']])}
FROM community_post_comments s JOIN users u ON u.id = s.author_id JOIN bench_keys k ON k.kind = 2 AND k.subject_id = s.id AND k.community_id = s.community_id
WHERE s.deleted_at IS NULL AND s.author_id > 0 AND ${notDuplicate('community_comment', 's.author_id', null)}
UNION ALL
SELECT 3, s.id, COALESCE(l.community_id, 0), s.user_id, l.community_id, 'course.completed', 'certificate', s.id, k.idempotency_key,
  ${occurred('s.created_at')},
  CASE WHEN l.community_id IS NULL THEN ${numberObject([['course_id', 's.course_id', 'number'], ['certificate_identifier', 's.identifier', 'text']])}
  ELSE ${numberObject([['course_id', 's.course_id', 'number'], ['certificate_identifier', 's.identifier', 'text'], ['community_id', 'l.community_id', 'number']])} END
FROM certificates s JOIN users u ON u.id = s.user_id LEFT JOIN (${linkTable}) l ON l.course_id = s.course_id
JOIN bench_keys k ON k.kind = 3 AND k.subject_id = s.id AND k.community_id = COALESCE(l.community_id, 0)
WHERE s.user_id IS NOT NULL AND s.user_id > 0 AND ${notDuplicate('certificate', 's.user_id', 'l.community_id')}`;
	const columns = ['user_id', 'community_id', 'activity_type', 'subject_type', 'subject_id', 'idempotency_key', 'occurred_at', 'context'];
	// Content compared as the job compares it (timestamps by their text, context by its JSON value).
	const sameContent =
		d === 'sqlite'
			? `profile_activities.user_id IS excluded.user_id AND profile_activities.community_id IS excluded.community_id AND profile_activities.activity_type = excluded.activity_type AND profile_activities.subject_type = excluded.subject_type AND profile_activities.subject_id = excluded.subject_id AND strftime('%Y-%m-%d %H:%M:%S', profile_activities.occurred_at) IS strftime('%Y-%m-%d %H:%M:%S', excluded.occurred_at) AND json(profile_activities.context) IS json(excluded.context)`
			: `profile_activities.user_id <=> VALUES(user_id) AND profile_activities.community_id <=> VALUES(community_id) AND profile_activities.activity_type = VALUES(activity_type) AND profile_activities.subject_type = VALUES(subject_type) AND profile_activities.subject_id = VALUES(subject_id) AND profile_activities.occurred_at <=> VALUES(occurred_at) AND JSON_EQUALS(profile_activities.context, VALUES(context))`;
	const upsert =
		d === 'sqlite'
			? ` ON CONFLICT (idempotency_key) DO UPDATE SET ${[...columns.filter(column => column !== 'idempotency_key'), 'updated_at'].map(column => `${column} = excluded.${column}`).join(', ')} WHERE NOT (${sameContent})`
			: // updated_at first: MariaDB applies the assignments in order, and the comparison must see the old row.
				` ON DUPLICATE KEY UPDATE profile_activities.updated_at = IF(${sameContent}, profile_activities.updated_at, VALUES(updated_at)), ${columns.filter(column => column !== 'idempotency_key').map(column => `profile_activities.${column} = VALUES(${column})`).join(', ')}`;
	const statement = `INSERT INTO profile_activities (${columns.join(', ')}, created_at, updated_at)
SELECT ${columns.map(column => `x.${column}`).join(', ')}, ?, ? FROM (
${select}
) x WHERE x.occurred_at IS NOT NULL ORDER BY x.source, x.subject_sort, x.community_sort${upsert}`;
	const params = [now, now, ...linkRows.flat()];
	const before = await countRows(database, 'profile_activities');
	const started = performance.now();
	const keys = await sql.transaction(async tx => {
		await tx.run('DROP TABLE IF EXISTS bench_keys');
		await tx.run(`${temporary(d)} bench_keys (kind INTEGER NOT NULL, subject_id BIGINT NOT NULL, community_id BIGINT NOT NULL, idempotency_key VARCHAR(64) NOT NULL, PRIMARY KEY (kind, subject_id, community_id))`);
		let count = 0;
		const hash = async (kind: LegacyKind, query: string, toRows: (row: Record<string, unknown>) => Array<[number, number | null]>) => {
			for (let after = 0; ; ) {
				const page = await tx.all<Record<string, unknown>>(`${query} AND s.id > ? ORDER BY s.id LIMIT ${pageSize}`, [after]);
				if (page.length === 0) break;
				const rows = page.flatMap(row => toRows(row).map(([id, community]) => [kind, id, community ?? 0, activityKey(kindNames[kind], id, community)] as const));
				await insertChunked(tx, 'bench_keys', ['kind', 'subject_id', 'community_id', 'idempotency_key'], rows);
				count += rows.length;
				after = Number(page.at(-1)!.id);
			}
		};

		await hash(1, 'SELECT s.id, s.community_id FROM community_posts s WHERE s.deleted_at IS NULL', row => [[Number(row.id), Number(row.community_id)]]);
		await hash(2, 'SELECT s.id, s.community_id FROM community_post_comments s WHERE s.deleted_at IS NULL', row => [[Number(row.id), Number(row.community_id)]]);
		await hash(3, 'SELECT s.id, s.course_id FROM certificates s WHERE s.user_id IS NOT NULL', row => {
			const course = row.course_id === null || row.course_id === undefined ? undefined : byCourse.get(Number(row.course_id));
			return (course ?? [null]).map(community => [Number(row.id), community] as [number, number | null]);
		});
		await tx.run(statement, params);
		await tx.run('DROP TABLE bench_keys');
		return count;
	});
	const seconds = (performance.now() - started) / 1000;
	// Counted, not taken from affectedRows (the SQLite driver reports 0 for this compound INSERT … SELECT).
	return {statement, inserted: (await countRows(database, 'profile_activities')) - before, updated: 0, keys, seconds};
}

async function countRows(database: Database, table: string): Promise<number> {
	const row = await database.sql.get<{n: unknown}>(`SELECT COUNT(*) AS n FROM ${table}`);
	return Number(row?.n ?? 0);
}
