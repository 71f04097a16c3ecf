import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {createHash} from 'node:crypto';
import {Sql} from '../../source/db/sql.js';
import {insertPlatformRows} from './platform-rows.js';

// A small, hand-written profile feed for the reference API's tests (DESIGN.md §7).
export const userType = String.raw`App\Models\User`;

export const tokens = {
	alice: '1|alice0plain0token0abcdefghijklmnopqrstuv',
	aliceExpired: '2|alice0expired0token0abcdefghijklmnopqrst',
	bob: '3|bob0plain0token0abcdefghijklmnopqrstuvwxyz',
	team: '4|team0plain0token0abcdefghijklmnopqrstuvwxy',
	ghost: '5|ghost0plain0token0abcdefghijklmnopqrstuvwx',
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const plainOf = (token: string) => token.slice(token.indexOf('|') + 1);

/**
 * Users 1 (alice) and 2 (bob); communities 1 alpha, 2 beta, 3 gone (soft-deleted); profile_activities 1..9.
 * Alice's feed newest first, by hand: 9 (01-04), 2 (01-03), 6, 5, 3 (all 01-02 12:00:00: id tiebreak), 1, 7.
 */
export async function seedProfileFeed(sql: Sql): Promise<void> {
	await insertPlatformRows(sql, 'users', ['id', 'name', 'email', 'role', 'created_at'], [[1, 'Alice', 'alice@example.test', 'student', '2025-01-01 00:00:00'], [2, 'Bob', 'bob@example.test', 'student', '2025-01-01 00:00:00']]);
	await sql.run(
		`INSERT INTO communities (id, slug, name, created_by, created_at, updated_at, deleted_at) VALUES
		 (1, 'alpha', 'Alpha Club', 1, '2025-01-01 00:00:00', '2025-01-01 00:00:00', NULL),
		 (2, 'beta', 'Beta Guild', 1, '2025-01-01 00:00:00', '2025-01-01 00:00:00', NULL),
		 (3, 'gone', 'Gone Circle', 1, '2025-01-01 00:00:00', '2025-01-01 00:00:00', '2025-06-01 00:00:00')`,
	);
	const activities: Array<[number, number, number | null, string, string, number, string, string | null]> = [
		[1, 1, 1, 'post_published', 'community_post', 11, '2026-01-01 10:00:00', '{"post_id":11}'],
		[2, 1, 2, 'comment_posted', 'community_post_comment', 21, '2026-01-03 09:00:00', null],
		[3, 1, 1, 'post_published', 'community_post', 13, '2026-01-02 12:00:00', '{"a":1}'],
		[4, 2, 1, 'post_published', 'community_post', 14, '2026-02-01 00:00:00', null],
		[5, 1, 3, 'comment_posted', 'community_post_comment', 25, '2026-01-02 12:00:00', null],
		[6, 1, null, 'certificate_earned', 'certificate', 36, '2026-01-02 12:00:00', '{"x":"y"}'],
		[7, 1, 1, 'post_published', 'community_post', 17, '2025-12-31 23:59:59', null],
		[8, 2, 2, 'comment_posted', 'community_post_comment', 28, '2026-01-02 12:00:00', null],
		[9, 1, 2, 'post_published', 'community_post', 19, '2026-01-04 00:00:00', '[1,2]'],
	];
	await sql.run(
		`INSERT INTO profile_activities (id, user_id, community_id, activity_type, subject_type, subject_id, idempotency_key, occurred_at, context, created_at, updated_at) VALUES ${Sql.tuples(activities.length, 11)}`,
		activities.flatMap(([id, user, community, type, subjectType, subject, at, context]) => [id, user, community, type, subjectType, subject, `key-${id}`, at, context, at, at]),
	);
	const tokenRows: Array<[number, string, number, string, string | null]> = [
		[1, userType, 1, tokens.alice, null],
		[2, userType, 1, tokens.aliceExpired, '2020-01-01 00:00:00'],
		[3, userType, 2, tokens.bob, '2037-12-31 00:00:00'],
		[4, String.raw`App\Models\Team`, 1, tokens.team, null],
		[5, userType, 99, tokens.ghost, null],
	];
	await sql.run(
		`INSERT INTO personal_access_tokens (id, tokenable_type, tokenable_id, name, token, abilities, last_used_at, expires_at, created_at, updated_at) VALUES ${Sql.tuples(tokenRows.length, 10)}`,
		tokenRows.flatMap(([id, type, owner, token, expires]) => [id, type, owner, `token ${id}`, sha256(plainOf(token)), '["*"]', null, expires, '2025-01-01 00:00:00', '2025-01-01 00:00:00']),
	);
}

/** A temporary app root with storage/app/ ready for the flag files. */
export function createAppRoot(): string {
	const root = mkdtempSync(join(tmpdir(), 'runbook-app-'));
	mkdirSync(join(root, 'storage', 'app'), {recursive: true});
	return root;
}

export function writeFlags(appRoot: string, flags: Record<string, unknown>): void {
	writeFileSync(join(appRoot, 'storage', 'app', 'feature-flags.json'), `${JSON.stringify(flags, null, 2)}\n`);
}

export function writeRollouts(appRoot: string, rollouts: Record<string, unknown>): void {
	writeFileSync(join(appRoot, 'storage', 'app', 'feature-rollouts.json'), `${JSON.stringify(rollouts, null, 2)}\n`);
}
