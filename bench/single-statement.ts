// (a) The single-statement limit: the whole job's inserts as ONE INSERT … SELECT, no batches, no checkpoints, no undo,
// no evidence. What the database alone needs to write the same rows; the tool's job is measured against it.
// Idempotency keys: SHA1() on MariaDB; SQLite has no SHA-1, so there the key's pre-image is stored instead.
import type {Database} from '../source/db/orm.js';
import {dialectSql} from '../source/db/sql.js';
import {formatTimestamp, isoSeconds} from '../source/core/timestamps.js';
import {loadCommunityLinks} from '../source/jobs/classroom-links.js';
import {linksTable, pairAggregation} from '../source/jobs/backfill/pair-sql.js';
import {entryDateLocalSeconds} from '../source/jobs/platform/local-time.js';
import {appKeysFrom} from '../source/core/laravel-encrypter.js';

export async function singleStatementBackfill(database: Database): Promise<{statement: string; inserted: number; seconds: number}> {
	const {sql} = database;
	const now = new Date();
	const {communities} = await loadCommunityLinks(sql, {});
	const links = communities.flatMap(community => community.links);
	const utc = {timeZone: {zone: 'UTC', source: 'bench'}, keys: appKeysFrom({}, 'AES-256-CBC', 'bench'), encryptedAttributes: 'auto' as const};
	const pairs = pairAggregation(sql.dialect, linksTable(sql.dialect, links), Number.MAX_SAFE_INTEGER, {entryLocal: await entryDateLocalSeconds(sql, utc), runStartLocalSeconds: Math.floor(now.getTime() / 1000)});
	const d = dialectSql(sql.dialect);
	const preImage = d.concat("'classrooms:'", 'p.community_id', "':'", 'p.user_id', "':'", 'p.first_course_id');
	const key = sql.dialect === 'sqlite' ? preImage : `SHA1(${preImage})`;
	const object = sql.dialect === 'sqlite' ? 'json_object' : 'JSON_OBJECT';
	const statement = `INSERT INTO community_members (community_id, user_id, role, status, joined_at, metadata, created_at, updated_at)
SELECT p.community_id, p.user_id, CASE p.target_priority WHEN 4 THEN 'owner' WHEN 3 THEN 'admin' WHEN 2 THEN 'moderator' ELSE 'member' END, 'active', p.target_joined_at,
  ${object}('backfill', ${object}('classrooms', ${object}('course_id', p.first_course_id, 'source', 'classrooms', 'idempotency_key', ${key}, 'synced_at', ?, 'run_id', 'bench'))), ?, ?
FROM (${pairs.sql}) p LEFT JOIN community_members m ON m.community_id = p.community_id AND m.user_id = p.user_id
WHERE m.id IS NULL`;
	const started = performance.now();
	const result = await sql.run(statement, [isoSeconds(now), formatTimestamp(now), formatTimestamp(now), ...pairs.params]);
	return {statement, inserted: result.affectedRows, seconds: (performance.now() - started) / 1000};
}

export async function singleStatementLegacy(database: Database): Promise<{statement: string; inserted: number; seconds: number}> {
	const {sql} = database;
	const now = formatTimestamp(new Date());
	const {communities} = await loadCommunityLinks(sql, {});
	const pairs = new Set<string>();
	const linkRows: Array<[number, number]> = [];
	for (const link of communities.flatMap(community => community.links)) {
		if (!pairs.has(`${link.courseId}:${link.communityId}`)) {
			pairs.add(`${link.courseId}:${link.communityId}`);
			linkRows.push([link.courseId, link.communityId]);
		}
	}

	const d = dialectSql(sql.dialect);
	const key = (expression: string) => (sql.dialect === 'sqlite' ? expression : `SHA1(${expression})`);
	const object = sql.dialect === 'sqlite' ? 'json_object' : 'JSON_OBJECT';
	const linkTable =
		linkRows.length === 0
			? 'SELECT NULL AS course_id, NULL AS community_id FROM users WHERE 1 = 0'
			: sql.dialect === 'sqlite'
				? `SELECT column1 AS course_id, column2 AS community_id FROM (VALUES ${linkRows.map(() => '(?, ?)').join(', ')})`
				: linkRows.map((_, index) => (index === 0 ? 'SELECT ? AS course_id, ? AS community_id' : 'SELECT ?, ?')).join(' UNION ALL ');
	const statement = `INSERT INTO profile_activities (user_id, community_id, activity_type, subject_type, subject_id, idempotency_key, occurred_at, context, created_at, updated_at)
SELECT s.author_id, s.community_id, 'community_post.published', 'community_post', s.id, ${key(d.concat("'profile:community_post:'", 's.id', "':'", 's.community_id'))},
  COALESCE(s.published_at, s.created_at), ${object}('type', s.type, 'visibility', s.visibility), ?, ?
FROM community_posts s JOIN users u ON u.id = s.author_id
WHERE s.deleted_at IS NULL AND COALESCE(s.published_at, s.created_at) IS NOT NULL
UNION ALL
SELECT s.author_id, s.community_id, 'community_comment.posted', 'community_comment', s.id, ${key(d.concat("'profile:community_comment:'", 's.id', "':'", 's.community_id'))},
  s.created_at, ${object}('post_id', s.post_id), ?, ?
FROM community_post_comments s JOIN users u ON u.id = s.author_id
WHERE s.deleted_at IS NULL AND s.created_at IS NOT NULL
UNION ALL
SELECT s.user_id, l.community_id, 'course.completed', 'certificate', s.id, ${key(d.concat("'profile:course_completion:'", 's.id', "':'", "COALESCE(l.community_id, 'global')"))},
  s.created_at, CASE WHEN l.community_id IS NULL THEN ${object}('course_id', s.course_id, 'certificate_identifier', s.identifier) ELSE ${object}('course_id', s.course_id, 'certificate_identifier', s.identifier, 'community_id', l.community_id) END, ?, ?
FROM certificates s JOIN users u ON u.id = s.user_id LEFT JOIN (${linkTable}) l ON l.course_id = s.course_id
WHERE s.created_at IS NOT NULL`;
	const params = [now, now, now, now, now, now, ...linkRows.flat()];
	// Rows the platform already holds (hand-made duplicates in the demo data) are left alone, as the job leaves them.
	const ignore = d.upsertIgnore;
	const sqlText = statement.replace(/^INSERT INTO/, `${ignore} INTO`);
	const before = await countRows(database, 'profile_activities');
	const started = performance.now();
	await sql.run(sqlText, params);
	const seconds = (performance.now() - started) / 1000;
	// Counted, not taken from affectedRows (the SQLite driver reports 0 for this compound INSERT … SELECT).
	return {statement: sqlText, inserted: (await countRows(database, 'profile_activities')) - before, seconds};
}

async function countRows(database: Database, table: string): Promise<number> {
	const row = await database.sql.get<{n: unknown}>(`SELECT COUNT(*) AS n FROM ${table}`);
	return Number(row?.n ?? 0);
}
