import {createHash} from 'node:crypto';
import {takeSnapshot} from '../../../source/evidence/snapshot.js';
import {platformTables} from '../../../source/db/platform-schema.js';
import {LockHeld} from '../../../source/core/errors.js';
import {insertRows} from '../../../source/db/bulk-insert.js';
import type {Sql} from '../../../source/db/sql.js';
import {migrateLegacyActivity} from '../../../source/jobs/migrate-legacy-activity.js';
import type {TestDatabase} from '../../helpers/databases.js';
import {insertPlatformRows, withoutForeignKeyChecks} from '../../helpers/platform-rows.js';
import {runJob, type RunJobOutcome} from '../../helpers/run-job.js';

export const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');


export type RunOptions = {
	readonly mode?: 'dry-run' | 'execute';
	readonly now?: string;
	readonly crashAfterBatch?: number;
	readonly restart?: boolean;
	readonly signal?: AbortSignal;
};

/** Runs the job as a step, the way the CLI does, with an in-memory evidence folder and a fixed clock. */
export async function runLegacyActivity(database: TestDatabase, rawParams: Record<string, unknown>, options: RunOptions = {}): Promise<RunJobOutcome> {
	return retryWhileLocked(async () =>
		runJob(database, migrateLegacyActivity, rawParams, {
			now: options.now ?? '2025-10-30T00:00:00Z',
			mode: options.mode,
			crashAfterBatch: options.crashAfterBatch,
			restart: options.restart,
			signal: options.signal,
			acceptDrift: false,
		}),
	);
}

/**
 * The MariaDB run lock is GET_LOCK('community-runbook'), one name for the whole server, so test files running side by
 * side on other schemas hold it too. LockHeld is thrown before a run starts, so waiting and retrying is safe.
 */
async function retryWhileLocked<T>(attempt: () => Promise<T>): Promise<T> {
	const deadline = Date.now() + 120_000;
	for (;;) {
		try {
			return await attempt();
		} catch (error) {
			if (!(error instanceof LockHeld) || Date.now() > deadline) {
				throw error;
			}

			await new Promise(resolve => setTimeout(resolve, 50 + Math.random() * 200));
		}
	}
}

/** Checksums of every platform and runbook table. */
export async function digestAll(sql: Sql) {
	return takeSnapshot(sql, [...platformTables, 'runbook_runs', 'runbook_batches', 'runbook_undo', 'runbook_locks']);
}

export type ActivityView = {
	user_id: number;
	community_id: number | null;
	activity_type: string;
	subject_type: string;
	subject_id: number;
	idempotency_key: string;
	occurred_at: string;
	context: string;
	created_at: string;
	updated_at: string;
};

/** profile_activities in key order, numbers as numbers, without ids (ids depend on insert order). */
export async function activities(sql: Sql): Promise<ActivityView[]> {
	const rows = await sql.all<Record<string, unknown>>(
		'SELECT user_id, community_id, activity_type, subject_type, subject_id, idempotency_key, occurred_at, context, created_at, updated_at FROM profile_activities ORDER BY idempotency_key',
	);
	return rows.map(row => ({
		user_id: Number(row.user_id),
		community_id: row.community_id === null ? null : Number(row.community_id),
		activity_type: String(row.activity_type),
		subject_type: String(row.subject_type),
		subject_id: Number(row.subject_id),
		idempotency_key: String(row.idempotency_key),
		occurred_at: String(row.occurred_at),
		context: String(row.context),
		created_at: String(row.created_at),
		updated_at: String(row.updated_at),
	}));
}

const stamp = '2025-01-01 00:00:00';

/**
 * The hand-built dataset of migrate-legacy-activity.test.ts. Since boundary s = 2025-08-01 00:00:00.
 * Communities: 10 alpha links course 100; 11 beta links 100 and 101; 12 gone (soft-deleted) links 102;
 * 13 archived (soft-deleted, has posts).
 */
export async function seedLegacyData(sql: Sql): Promise<void> {
	await insertPlatformRows(sql, 'users', ['id', 'name', 'email', 'role', 'created_at', 'updated_at'], [
		[1, 'Alice', 'alice@example.test', 'student', stamp, stamp],
		[2, 'Bob', 'bob@example.test', 'student', stamp, stamp],
		[3, 'Carol', 'carol@example.test', 'teacher', stamp, stamp],
	]);
	await insertRows(sql, 'courses', ['id', 'title', 'created_at', 'updated_at'], [100, 101, 102, 103].map(id => [id, `Course ${id}`, stamp, stamp]));
	await insertRows(sql, 'communities', ['id', 'slug', 'name', 'settings', 'created_by', 'created_at', 'updated_at', 'deleted_at'], [
		[10, 'alpha', 'Alpha', JSON.stringify({classroom_links: {100: {default_role: 'student'}}}), 1, stamp, stamp, null],
		[11, 'beta', 'Beta', JSON.stringify({classroom_links: [{course_id: 101}, {course_id: 100, default_role: 'teacher'}]}), 1, stamp, stamp, null],
		[12, 'gone', 'Gone', JSON.stringify({classroom_links: {102: {}}}), 1, stamp, stamp, '2025-06-01 00:00:00'],
		[13, 'archived', 'Archived', null, 1, stamp, stamp, '2025-06-01 00:00:00'],
	]);
	// [id, community, author, type, visibility, published_at, created_at, deleted_at]
	// author_id is NOT NULL with a foreign key to users: the post that had a NULL author has an orphan one (998, skipped
	// alike); orphan and zero authors are inserted with the checks off, as a dump restored without them holds them.
	const posts: Array<[number, number, number, string, string, string | null, string, string | null]> = [
		[1, 10, 1, 'text', 'community', '2025-08-02 10:00:00', '2025-08-01 09:00:00', null],
		[2, 10, 2, 'image', 'public', null, '2025-08-03 12:00:00', null],
		[3, 11, 1, 'link', 'community', '2025-08-04 00:00:00', '2025-08-04 00:00:00', '2025-08-05 00:00:00'], // soft-deleted
		[4, 10, 998, 'text', 'community', '2025-08-06 00:00:00', '2025-08-06 00:00:00', null], // orphan author (was NULL)
		[5, 10, 999, 'text', 'community', '2025-08-06 00:00:00', '2025-08-06 00:00:00', null], // orphan author
		[6, 10, 0, 'text', 'community', '2025-08-06 00:00:00', '2025-08-06 00:00:00', null], // author 0
		[7, 13, 3, 'video', 'paid', '2025-09-01 00:00:00', '2025-08-30 00:00:00', null], // soft-deleted community
		[8, 11, 3, 'poll', 'community', null, '2025-08-01 00:00:00', null], // exactly at s
		[9, 11, 3, 'text', 'community', null, '2025-07-31 23:59:59', null], // one second before s
		[10, 11, 2, 'link', 'public', '2025-08-01 00:00:00', '2025-07-01 00:00:00', null], // published at s, created before
		[11, 10, 1, 'text', 'paid', '2025-07-15 00:00:00', '2025-08-05 00:00:00', null], // created after s, published before
		[12, 10, 1, 'text', 'community', '2025-07-31 23:59:59', '2025-07-31 23:59:59', null], // both before s
	];
	await withoutForeignKeyChecks(sql, async tx =>
		insertPlatformRows(
			tx,
			'community_posts',
			['id', 'community_id', 'author_id', 'type', 'visibility', 'published_at', 'created_at', 'updated_at', 'deleted_at'],
			posts.map(([id, community, author, type, visibility, published, created, deleted]) => [id, community, author, type, visibility, published, created, created, deleted]),
		),
	);
	// [id, community, post, author, created_at, deleted_at]
	const comments: Array<[number, number, number, number, string, string | null]> = [
		[1, 10, 1, 2, '2025-08-04 08:00:00', null],
		[2, 10, 1, 3, '2025-08-04 09:00:00', '2025-08-04 10:00:00'], // soft-deleted
		[3, 11, 2, 998, '2025-08-04 09:00:00', null], // orphan author (was NULL: impossible now)
		[4, 11, 2, 1, '2025-08-01 00:00:00', null], // exactly at s
		[5, 11, 2, 1, '2025-07-31 23:59:59', null], // one second before s
		[6, 13, 7, 2, '2025-09-02 00:00:00', null], // soft-deleted community
		[7, 10, 1, 999, '2025-08-04 09:00:00', null], // orphan author
	];
	await withoutForeignKeyChecks(sql, async tx =>
		insertPlatformRows(
			tx,
			'community_post_comments',
			['id', 'community_id', 'post_id', 'author_id', 'created_at', 'updated_at', 'deleted_at'],
			comments.map(([id, community, post, author, created, deleted]) => [id, community, post, author, created, created, deleted]),
		),
	);
	// [id, user, course, identifier, created_at]
	const certificates: Array<[number, number | null, number | null, string, string]> = [
		[1, 1, 100, 'CERT-1', '2025-08-10 00:00:00'], // linked by alpha and beta → two rows
		[2, 2, 103, 'CERT-2', '2025-08-11 00:00:00'], // no link → global
		[3, 3, 102, 'CERT-3', '2025-08-12 00:00:00'], // linked only by a soft-deleted community → global
		[4, null, 100, 'CERT-4', '2025-08-12 00:00:00'], // NULL user: not a source row
		[5, 999, 101, 'CERT-5', '2025-08-12 00:00:00'], // orphan user → skipped
		[6, 2, 101, 'CERT-6', '2025-07-31 23:59:59'], // one second before s
		[7, 1, null, 'CERT-7', '2025-08-01 00:00:00'], // NULL course, exactly at s → global
		[8, 0, 100, 'CERT-8', '2025-08-12 00:00:00'], // user 0 → skipped
	];
	await insertRows(
		sql,
		'certificates',
		['id', 'user_id', 'course_id', 'identifier', 'created_at', 'updated_at'],
		certificates.map(([id, user, course, identifier, created]) => [id, user, course, identifier, created, created]),
	);
}
