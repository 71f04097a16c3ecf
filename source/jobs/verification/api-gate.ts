import type {Sql} from '../../db/sql.js';
import {redactSecrets} from '../../core/redact.js';

// Step 1 of DESIGN.md §7: the platform's API answers as the flag says. Without a token: 401. Flag off: 404
// "Feature not available.". Flag on: 200, the envelope, items newest first (occurred_at DESC, id DESC), and the
// first page equal to the user's newest profile_activities rows (id, activity_type, subject_id, occurred_at).

export const profileActivityPath = '/api/v1/me/profile-activity';
export const requestTimeoutMs = 10_000;

export type GateResult = {
	readonly passed: boolean;
	readonly flag_on: boolean;
	readonly user_id: number | null;
	readonly checks: Array<{readonly name: string; readonly passed: boolean; readonly detail: string}>;
};

type Answer = {status: number | null; body: unknown; error: string | null};

async function get(url: string, token: string | undefined, signal: AbortSignal): Promise<Answer> {
	try {
		const response = await fetch(url, {
			headers: {accept: 'application/json', ...(token === undefined ? {} : {authorization: `Bearer ${token}`})},
			signal: AbortSignal.any([signal, AbortSignal.timeout(requestTimeoutMs)]),
		});
		const text = await response.text();
		let body: unknown = null;
		try {
			body = JSON.parse(text);
		} catch {
			body = null;
		}

		return {status: response.status, body, error: null};
	} catch (error) {
		const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${requestTimeoutMs / 1000} s` : String((error as {cause?: {code?: string}}).cause?.code ?? (error as Error).message);
		return {status: null, body: null, error: redactSecrets(reason)};
	}
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const seconds = (value: unknown) => {
	const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})/.exec(String(value ?? ''));
	return match ? Date.parse(`${match[1]}T${match[2]}Z`) / 1000 : Number.NaN;
};

const describe = (answer: Answer) => (answer.error ? `no answer (${answer.error})` : `HTTP ${answer.status}`);

function errorTitle(body: unknown): unknown {
	return isObject(body) && Array.isArray(body.errors) && isObject(body.errors[0]) ? body.errors[0].title : undefined;
}

type Item = {id: number; activity_type: string; subject_id: number; occurred: number};

function itemsOf(body: unknown): Item[] | string {
	if (!isObject(body) || !Array.isArray(body.data) || !isObject(body.meta) || !isObject(body.meta.pagination)) {
		return 'the body is not the {data, meta: {pagination}} envelope';
	}

	if (body.meta.pagination.type !== 'cursor') {
		return `meta.pagination.type is ${JSON.stringify(body.meta.pagination.type)}, not "cursor"`;
	}

	return body.data.map(item => (isObject(item) ? {id: Number(item.id), activity_type: String(item.activity_type), subject_id: Number(item.subject_id), occurred: seconds(item.occurred_at)} : {id: Number.NaN, activity_type: '', subject_id: Number.NaN, occurred: Number.NaN}));
}

function newestFirst(items: readonly Item[]): boolean {
	return items.every((item, index) => index === 0 || items[index - 1]!.occurred > item.occurred || (items[index - 1]!.occurred === item.occurred && items[index - 1]!.id > item.id));
}

/** Runs the gate against `apiUrl`; `userId` is the token's user (null when it cannot be known). */
export async function checkApiGate(options: {readonly sql: Sql; readonly apiUrl: string; readonly token: string; readonly userId: number | null; readonly flagOn: boolean; readonly signal: AbortSignal}): Promise<GateResult> {
	const url = `${options.apiUrl.replace(/\/+$/, '')}${profileActivityPath}`;
	const checks: GateResult['checks'] = [];
	const anonymous = await get(url, undefined, options.signal);
	checks.push({name: 'without a token', passed: anonymous.status === 401, detail: `expected 401, got ${describe(anonymous)}`});

	const answer = await get(url, options.token, options.signal);
	if (!options.flagOn) {
		const title = errorTitle(answer.body);
		checks.push({name: 'flag off', passed: answer.status === 404 && title === 'Feature not available.', detail: `expected 404 "Feature not available.", got ${describe(answer)}${title === undefined ? '' : ` "${String(title)}"`}`});
		return {passed: checks.every(check => check.passed), flag_on: false, user_id: options.userId, checks};
	}

	if (answer.status !== 200) {
		checks.push({name: 'flag on', passed: false, detail: `expected 200, got ${describe(answer)}${errorTitle(answer.body) === undefined ? '' : ` "${String(errorTitle(answer.body))}"`}`});
		return {passed: false, flag_on: true, user_id: options.userId, checks};
	}

	const items = itemsOf(answer.body);
	if (typeof items === 'string') {
		checks.push({name: 'flag on: envelope', passed: false, detail: items});
		return {passed: false, flag_on: true, user_id: options.userId, checks};
	}

	checks.push({name: 'flag on: envelope', passed: true, detail: `200 with ${items.length} item(s)`});
	checks.push({name: 'flag on: newest first', passed: newestFirst(items), detail: 'items ordered by occurred_at DESC, id DESC'});
	if (options.userId === null) {
		checks.push({name: 'flag on: first page', passed: false, detail: 'the token does not belong to a user of this database, so its feed cannot be compared; give a token of this platform'});
		return {passed: false, flag_on: true, user_id: null, checks};
	}

	const meta = (answer.body as {meta: {pagination: {per_page?: unknown}}}).meta.pagination;
	const perPage = Number.isInteger(Number(meta.per_page)) && Number(meta.per_page) > 0 ? Number(meta.per_page) : 25;
	const rows = await options.sql.all<Record<string, unknown>>(`SELECT id, activity_type, subject_id, occurred_at FROM profile_activities WHERE user_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ${Math.min(perPage, 100)}`, [options.userId]);
	const expected = rows.map(row => ({id: Number(row.id), activity_type: String(row.activity_type), subject_id: Number(row.subject_id), occurred: seconds(row.occurred_at)}));
	const mismatch = expected.findIndex((row, index) => {
		const item = items[index];
		return !item || item.id !== row.id || item.activity_type !== row.activity_type || item.subject_id !== row.subject_id || item.occurred !== row.occurred;
	});
	const sameLength = expected.length === items.length;
	checks.push({
		name: 'flag on: first page',
		passed: mismatch === -1 && sameLength,
		detail:
			mismatch === -1 && sameLength
				? `the ${items.length} item(s) equal user ${options.userId}'s newest profile_activities rows`
				: mismatch === -1
					? `the API listed ${items.length} item(s), the table has ${expected.length} for the first page of user ${options.userId}`
					: `item ${mismatch + 1} differs: expected id ${expected[mismatch]!.id} (${expected[mismatch]!.activity_type}), got ${items[mismatch] ? `id ${items[mismatch].id} (${items[mismatch].activity_type})` : 'nothing'}`,
	});
	return {passed: checks.every(check => check.passed), flag_on: true, user_id: options.userId, checks};
}
