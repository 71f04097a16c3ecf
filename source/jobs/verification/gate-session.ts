import {authenticateBearer} from '../../api/authenticate.js';
import {profileActivityFlag, startApiServer} from '../../api/create-api-server.js';
import {mintPersonalAccessToken, revokePersonalAccessToken} from '../../api/personal-access-tokens.js';
import {readFlagState} from '../../engine/feature-flags.js';
import {registerSecret} from '../../core/redact.js';
import type {JobContext} from '../../engine/job.js';
import {checkApiGate, type GateResult} from './api-gate.js';

// Where the API gate runs (DESIGN.md §7): --api-url/--token (or RUNBOOK_API_URL / RUNBOOK_API_TOKEN); in the demo
// and testing profiles without a URL, the reference API in-process on an ephemeral 127.0.0.1 port against the same
// database, with a token minted for a sampled user who has activity and deleted again when the gate is done (both
// recorded in the evidence). The minted token also expires after an hour, in case the process dies in between.

type GateParams = {readonly apiUrl?: string | undefined; readonly token?: string | undefined};
type Context = JobContext<GateParams>;

export type GateOutcome = (GateResult & {api: Record<string, unknown>}) | {passed: false; skipped: string};

/** The API to call: the params, else RUNBOOK_API_URL / RUNBOOK_API_TOKEN. */
export function apiTarget(context: Context): {url: string | undefined; token: string | undefined} {
	const url = context.params.apiUrl ?? (context.env.RUNBOOK_API_URL?.trim() || undefined);
	const token = context.params.token ?? (context.env.RUNBOOK_API_TOKEN?.trim() || undefined);
	registerSecret(token);
	return {url, token};
}

/** A user whose feed is worth comparing: the sampled user with the most activity (a full first page), else anyone with activity. */
async function gateUser(context: Context, sampled: readonly number[]): Promise<number | null> {
	const sql = context.database.sql;
	if (sampled.length > 0) {
		const row = await sql.get<{user_id: unknown}>(
			`SELECT user_id, COUNT(*) AS n FROM profile_activities WHERE user_id IN (${sampled.map(() => '?').join(', ')}) GROUP BY user_id ORDER BY n DESC, user_id LIMIT 1`,
			sampled,
		);
		if (row?.user_id !== null && row?.user_id !== undefined) {
			return Number(row.user_id);
		}
	}

	const any = await sql.get<{user_id: unknown}>('SELECT MIN(pa.user_id) AS user_id FROM profile_activities pa JOIN users u ON u.id = pa.user_id');
	if (any?.user_id !== null && any?.user_id !== undefined) {
		return Number(any.user_id);
	}

	const first = sampled[0] ?? (await sql.get<{id: unknown}>('SELECT MIN(id) AS id FROM users'))?.id;
	return first === null || first === undefined ? null : Number(first);
}

export async function runGate(context: Context, sampled: readonly number[], mayWrite: boolean): Promise<GateOutcome> {
	const target = apiTarget(context);
	const flag = await readFlagState(context.appRoot, context.env, profileActivityFlag);
	if (!target.token && !mayWrite) {
		return {passed: false, skipped: 'no --token given, and a dry run does not mint one'};
	}

	const sql = context.database.sql;
	const api: Record<string, unknown> = {url: target.url ?? null, in_process: !target.url, flag_percentage: flag.percentage, flag_env_override: flag.envOverride};
	let server: Awaited<ReturnType<typeof startApiServer>> | undefined;
	let minted: {token: string; tokenId: number} | undefined;
	try {
		let url = target.url;
		if (!url) {
			server = await startApiServer({database: context.database, appRoot: context.appRoot, env: {...context.env}, port: 0});
			url = server.url;
			api.url = url;
		}

		let token = target.token;
		let userId: number | null;
		if (token) {
			userId = (await authenticateBearer(sql, token))?.userId ?? null;
		} else {
			userId = await gateUser(context, sampled);
			if (userId === null) {
				return {passed: false, flag_on: flag.on, user_id: null, checks: [{name: 'token', passed: false, detail: 'no user in the database to mint a token for'}], api};
			}

			minted = await mintPersonalAccessToken(sql, userId, {name: 'community-runbook verify', now: context.startedAt, expiresAt: new Date(Date.now() + 3_600_000)});
			token = minted.token;
			context.recordSql('INSERT INTO personal_access_tokens (tokenable_type, tokenable_id, name, token, abilities, expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', ['App\\Models\\User', userId, 'community-runbook verify', '<sha256 of the minted token>', '["*"]', '<now + 1 hour>', '<now>', '<now>']);
			api.minted_personal_access_token = {row_id: minted.tokenId, user_id: userId, name: 'community-runbook verify'};
		}

		const gate = await checkApiGate({sql, apiUrl: url, token, userId, flagOn: flag.on, signal: context.signal});
		return {...gate, api};
	} finally {
		if (minted) {
			await revokePersonalAccessToken(sql, minted.tokenId);
			context.recordSql('DELETE FROM personal_access_tokens WHERE id = ?', [minted.tokenId]);
			api.revoked_personal_access_token = {row_id: minted.tokenId};
		}

		await server?.close();
	}
}

