import {rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import type {ExecutionContext} from 'ava';
import {startApiServer} from '../../source/api/create-api-server.js';
import {mintPersonalAccessToken, revokePersonalAccessToken} from '../../source/api/personal-access-tokens.js';
import {redactSecrets} from '../../source/core/redact.js';
import {testEachDialect, type TestDatabase} from '../helpers/databases.js';
import {createAppRoot, seedProfileFeed, tokens, writeFlags, writeRollouts} from '../helpers/profile-feed.js';

const route = '/api/v1/me/profile-activity';
const uuid = /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/;
const isoSecond = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

type Answer = {status: number; contentType: string | null; body: any};

async function withServer(t: ExecutionContext, database: TestDatabase, body: (call: (path: string, token?: string, init?: RequestInit) => Promise<Answer>, context: {appRoot: string; env: Record<string, string | undefined>}) => Promise<void>) {
	await seedProfileFeed(database.sql);
	const appRoot = createAppRoot();
	const env: Record<string, string | undefined> = {};
	const server = await startApiServer({database, appRoot, env, port: 0, host: '127.0.0.1'});
	t.regex(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
	try {
		await body(async (path, token, init = {}) => {
			const headers: Record<string, string> = {accept: 'application/json'};
			if (token !== undefined) {
				headers.authorization = `Bearer ${token}`;
			}

			const response = await fetch(`${server.url}${path}`, {...init, headers});
			return {status: response.status, contentType: response.headers.get('content-type'), body: await response.json()};
		}, {appRoot, env});
	} finally {
		await server.close();
		rmSync(appRoot, {recursive: true, force: true});
	}
}

/** The exact error envelope, with the request id and timestamp checked for shape and then pinned. */
function assertError(t: ExecutionContext, answer: Answer, status: number, title: string) {
	t.is(answer.status, status, JSON.stringify(answer.body));
	t.is(answer.contentType, 'application/json; charset=utf-8');
	t.regex(answer.body.meta.request_id, uuid);
	t.regex(answer.body.meta.timestamp, isoSecond);
	t.is(typeof answer.body.errors[0].detail, 'string');
	t.true(answer.body.errors[0].detail.length > 0);
	t.deepEqual(answer.body, {
		errors: [{title, detail: answer.body.errors[0].detail, status: String(status), code: `http_${status}`}],
		meta: {status, request_id: answer.body.meta.request_id, timestamp: answer.body.meta.timestamp},
	});
	t.deepEqual(Object.keys(answer.body.errors[0]), ['title', 'detail', 'status', 'code']);
}

const ids = (answer: Answer) => (answer.body.data as Array<{id: number}>).map(item => item.id);

testEachDialect('401 without a token, with a wrong, expired, foreign-type or orphan token — even while the flag is off', async (t, database) => {
	await withServer(t, database, async call => {
		assertError(t, await call(route), 401, 'Unauthenticated');
		for (const token of ['1|wrong0plain', '1|', '|abc', 'abc', '999|alice0plain0token0abcdefghijklmnopqrstuv', tokens.aliceExpired, tokens.team, tokens.ghost, tokens.alice.replace('1|', '3|')]) {
			assertError(t, await call(route, token), 401, 'Unauthenticated');
		}

		// Never writes platform rows while verifying: last_used_at stays NULL.
		const used = await database.sql.all<{n: unknown}>('SELECT COUNT(*) AS n FROM personal_access_tokens WHERE last_used_at IS NOT NULL');
		t.is(Number(used[0]!.n), 0);
	});
});

testEachDialect('404 "Feature not available." while the flag is off; the file is re-read on every request; the env wins', async (t, database) => {
	await withServer(t, database, async (call, {appRoot, env}) => {
		assertError(t, await call(route, tokens.alice), 404, 'Feature not available.');
		writeFlags(appRoot, {community_profile_activity: false, other: true});
		assertError(t, await call(route, tokens.alice), 404, 'Feature not available.');
		writeFlags(appRoot, {community_profile_activity: true});
		t.is((await call(route, tokens.alice)).status, 200);
		env.APP_FEATURE_FLAGS = '{"community_profile_activity":false}';
		assertError(t, await call(route, tokens.alice), 404, 'Feature not available.');
		writeFlags(appRoot, {community_profile_activity: false});
		env.APP_FEATURE_FLAGS = '{"community_profile_activity":true}';
		t.is((await call(route, tokens.alice)).status, 200);
		env.APP_FEATURE_FLAGS = '{"something_else":true}';
		assertError(t, await call(route, tokens.alice), 404, 'Feature not available.');
		delete env.APP_FEATURE_FLAGS;
		// Rollout entries are metadata (DESIGN.md §2): a percentage of 0 does not turn the file's true off.
		writeFlags(appRoot, {community_profile_activity: true});
		writeRollouts(appRoot, {community_profile_activity: {enabled: false, percentage: 0, segments: [], updated_at: '2026-01-01T00:00:00Z'}});
		t.is((await call(route, tokens.alice)).status, 200);
		writeRollouts(appRoot, {community_profile_activity: {enabled: true, percentage: 25, segments: ['internal'], updated_at: '2026-01-01T00:00:00Z'}});
		t.is((await call(route, tokens.alice)).status, 200);
		// A flags file the platform could not read either: 500 naming the file.
		writeFileSync(join(appRoot, 'storage', 'app', 'feature-flags.json'), '{not json');
		const broken = await call(route, tokens.alice);
		assertError(t, broken, 500, 'Server Error');
		t.true(broken.body.errors[0].detail.includes('feature-flags.json'));
	});
});

testEachDialect('200 with exactly the DESIGN.md §7 envelope, newest first with the id tiebreak', async (t, database) => {
	await withServer(t, database, async (call, {appRoot}) => {
		writeFlags(appRoot, {community_profile_activity: true});
		const answer = await call(route, tokens.alice);
		t.is(answer.status, 200);
		t.is(answer.contentType, 'application/json; charset=utf-8');
		t.deepEqual(Object.keys(answer.body), ['data', 'meta']);
		t.deepEqual(Object.keys(answer.body.meta), ['filters', 'pagination', 'status', 'request_id', 'timestamp']);
		t.regex(answer.body.meta.request_id, uuid);
		t.regex(answer.body.meta.timestamp, isoSecond);
		t.is(answer.body.meta.status, 200);
		t.deepEqual(answer.body.meta.filters, {});
		t.deepEqual(answer.body.meta.pagination, {type: 'cursor', per_page: 25, has_more: false, count: 7});
		t.deepEqual(ids(answer), [9, 2, 6, 5, 3, 1, 7]);
		for (const item of answer.body.data) {
			t.deepEqual(Object.keys(item), ['id', 'activity_type', 'subject_type', 'subject_id', 'occurred_at', 'community', 'context']);
		}

		const byId = new Map((answer.body.data as Array<{id: number}>).map(item => [item.id, item]));
		t.deepEqual(byId.get(9), {id: 9, activity_type: 'post_published', subject_type: 'community_post', subject_id: 19, occurred_at: '2026-01-04T00:00:00Z', community: {id: 2, name: 'Beta Guild', slug: 'beta'}, context: {}});
		t.deepEqual(byId.get(3), {id: 3, activity_type: 'post_published', subject_type: 'community_post', subject_id: 13, occurred_at: '2026-01-02T12:00:00Z', community: {id: 1, name: 'Alpha Club', slug: 'alpha'}, context: {a: 1}});
		// Soft-deleted community and no community: null; NULL context: {}.
		t.deepEqual(byId.get(5), {id: 5, activity_type: 'comment_posted', subject_type: 'community_post_comment', subject_id: 25, occurred_at: '2026-01-02T12:00:00Z', community: null, context: {}});
		t.deepEqual(byId.get(6), {id: 6, activity_type: 'certificate_earned', subject_type: 'certificate', subject_id: 36, occurred_at: '2026-01-02T12:00:00Z', community: null, context: {x: 'y'}});
		// Bob sees only his own rows.
		t.deepEqual(ids(await call(route, tokens.bob)), [4, 8]);
	});
});

testEachDialect('walking next_cursor with per_page=2 lists every row once, then previous_cursor walks back', async (t, database) => {
	await withServer(t, database, async (call, {appRoot}) => {
		writeFlags(appRoot, {community_profile_activity: true});
		const pages: number[][] = [];
		const answers: Answer[] = [];
		let cursor: string | undefined;
		do {
			const answer = await call(`${route}?per_page=2${cursor ? `&cursor=${cursor}` : ''}`, tokens.alice);
			t.is(answer.status, 200);
			answers.push(answer);
			pages.push(ids(answer));
			t.is(answer.body.meta.pagination.count, ids(answer).length);
			t.is(answer.body.meta.pagination.per_page, 2);
			t.is(answer.body.meta.pagination.has_more, 'next_cursor' in answer.body.meta.pagination);
			cursor = answer.body.meta.pagination.next_cursor;
		} while (cursor && pages.length < 10);

		t.deepEqual(pages, [[9, 2], [6, 5], [3, 1], [7]]);
		t.false('previous_cursor' in answers[0]!.body.meta.pagination);
		t.false(answers[3]!.body.meta.pagination.has_more);
		// Backwards from the third page: [6, 5], then [9, 2] with no previous_cursor left.
		const back = await call(`${route}?per_page=2&cursor=${answers[2]!.body.meta.pagination.previous_cursor}`, tokens.alice);
		t.deepEqual(ids(back), [6, 5]);
		t.true(back.body.meta.pagination.has_more);
		const first = await call(`${route}?per_page=2&cursor=${back.body.meta.pagination.previous_cursor}`, tokens.alice);
		t.deepEqual(ids(first), [9, 2]);
		t.false('previous_cursor' in first.body.meta.pagination);
		t.deepEqual(ids(await call(`${route}?per_page=2&cursor=${first.body.meta.pagination.next_cursor}`, tokens.alice)), [6, 5]);
		for (const perPage of [1, 3, 7]) {
			const seen: number[] = [];
			let next: string | undefined;
			do {
				const answer = await call(`${route}?per_page=${perPage}${next ? `&cursor=${next}` : ''}`, tokens.alice);
				seen.push(...ids(answer));
				next = answer.body.meta.pagination.next_cursor;
			} while (next && seen.length < 20);

			t.deepEqual(seen, [9, 2, 6, 5, 3, 1, 7], `per_page=${perPage}`);
		}
	});
});

testEachDialect('community_id filters and is echoed in meta.filters', async (t, database) => {
	await withServer(t, database, async (call, {appRoot}) => {
		writeFlags(appRoot, {community_profile_activity: true});
		const alpha = await call(`${route}?community_id=1`, tokens.alice);
		t.deepEqual(ids(alpha), [3, 1, 7]);
		t.deepEqual(alpha.body.meta.filters, {community_id: 1});
		const paged = await call(`${route}?community_id=2&per_page=1`, tokens.alice);
		t.deepEqual(ids(paged), [9]);
		t.deepEqual(ids(await call(`${route}?community_id=2&per_page=1&cursor=${paged.body.meta.pagination.next_cursor}`, tokens.alice)), [2]);
		t.deepEqual(ids(await call(`${route}?community_id=42`, tokens.alice)), []);
	});
});

testEachDialect('422 for per_page, community_id and cursor out of contract; 404/405 for other routes and methods', async (t, database) => {
	await withServer(t, database, async (call, {appRoot}) => {
		writeFlags(appRoot, {community_profile_activity: true});
		for (const value of ['0', '101', 'abc', '1.5', '-1', '']) {
			const answer = await call(`${route}?per_page=${value}`, tokens.alice);
			assertError(t, answer, 422, 'Unprocessable Content');
			t.true(answer.body.errors[0].detail.startsWith('per_page must be a whole number from 1 to 100'), value);
		}

		t.deepEqual((await call(`${route}?per_page=1`, tokens.alice)).body.meta.pagination.count, 1);
		t.deepEqual((await call(`${route}?per_page=100`, tokens.alice)).body.meta.pagination.count, 7);
		for (const value of ['0', 'abc', '-3', '2.0']) {
			const answer = await call(`${route}?community_id=${value}`, tokens.alice);
			assertError(t, answer, 422, 'Unprocessable Content');
			t.true(answer.body.errors[0].detail.startsWith('community_id must be a positive whole number'), value);
		}

		const forged = Buffer.from(JSON.stringify({o: "2026-01-01 00:00:00' OR 1=1", i: 1})).toString('base64url');
		for (const value of ['garbage!', 'bm90IGpzb24', forged, Buffer.from('{"o":"2026-01-01 00:00:00","i":0}').toString('base64url')]) {
			const answer = await call(`${route}?cursor=${encodeURIComponent(value)}`, tokens.alice);
			assertError(t, answer, 422, 'Unprocessable Content');
			t.true(answer.body.errors[0].detail.startsWith('cursor is not a cursor this API issued'), value);
		}

		assertError(t, await call('/api/v1/me/other', tokens.alice), 404, 'Not Found');
		assertError(t, await call('/', tokens.alice), 404, 'Not Found');
		assertError(t, await call(route, tokens.alice, {method: 'POST'}), 405, 'Method Not Allowed');
	});
});

testEachDialect('a minted token authenticates until revoked or expired; a token without "<id>|" is found by its hash', async (t, database) => {
	await withServer(t, database, async (call, {appRoot}) => {
		writeFlags(appRoot, {community_profile_activity: true});
		const minted = await mintPersonalAccessToken(database.sql, 2);
		t.regex(minted.token, /^6\|[\da-f]{40}$/);
		t.is(minted.tokenId, 6);
		t.is(redactSecrets(`token ${minted.token}`), 'token ***');
		t.deepEqual(ids(await call(route, minted.token)), [4, 8]);
		t.deepEqual(ids(await call(route, minted.token.slice(2))), [4, 8]);
		await revokePersonalAccessToken(database.sql, minted.tokenId);
		assertError(t, await call(route, minted.token), 401, 'Unauthenticated');
		const expiring = await mintPersonalAccessToken(database.sql, 1, {expiresAt: new Date(Date.now() - 1000)});
		assertError(t, await call(route, expiring.token), 401, 'Unauthenticated');
		t.deepEqual(ids(await call(route, tokens.alice.slice(2))).length, 7);
	});
});
