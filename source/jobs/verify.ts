import {z} from 'zod';
import {profileActivityFlag, startApiServer} from '../api/create-api-server.js';
import {authenticateBearer} from '../api/authenticate.js';
import {mintPersonalAccessToken, revokePersonalAccessToken} from '../api/personal-access-tokens.js';
import {VerificationFailed} from '../engine/errors.js';
import {readFlagState} from '../engine/feature-flags.js';
import {registerSecret} from '../engine/redact.js';
import type {CheckResult, Job, JobContext, JobResult} from './job.js';
import {checkApiGate, type GateResult} from './verification/api-gate.js';
import {type Difference, reconcileUsers} from './verification/reconcile.js';
import {findRunsToVerify, type RunsToVerify} from './verification/runs.js';
import {candidateUsers, sampleIds} from './verification/sample.js';
import {backfillScope, migrationScope} from './verification/scope.js';
import {backfillSpotCheck, migrationSpotChecks, type SpotCheck} from './verification/spot-check.js';

// verify (DESIGN.md §7, runbook step 8): 1. the API gate, 2. the SQL spot checks, 3. reconciliation of sampled users.
// Every check runs (one failure does not hide the others); any failure is exit 4 with the differences.

const integer = (message: string, min: number, max: number, fallback: number) =>
	z
		.union([z.number(), z.string()], {error: message})
		.optional()
		.transform((value, context) => {
			if (value === undefined) {
				return fallback;
			}

			const number = typeof value === 'number' ? value : /^\s*-?\d{1,12}\s*$/.test(value) ? Number(value) : Number.NaN;
			if (!Number.isSafeInteger(number) || number < min || number > max) {
				context.addIssue({code: 'custom', message: `${message} (got ${JSON.stringify(value)})`});
				return z.NEVER;
			}

			return number;
		});

export const verifyParameters = z.object({
	apiUrl: z
		.string()
		.trim()
		.refine(value => /^https?:\/\/\S+$/i.test(value) && URL.canParse(value), '--api-url must be an http(s) URL, e.g. https://platform.example.com')
		.optional(),
	token: z.string().trim().min(1, '--token must not be empty').optional(),
	sample: integer('--sample must be an integer 1..10000', 1, 10_000, 50),
	seed: integer('--seed must be an integer', -2_147_483_648, 4_294_967_295, 1),
	/** Explicit run ids (the runbook runner passes the runs it just made); default: the newest succeeded ones. */
	runs: z.object({backfill: z.string().optional(), migrate: z.string().optional()}).optional(),
});

export type VerifyParams = z.output<typeof verifyParameters>;
type Context = JobContext<VerifyParams>;

export type VerificationChecks = {
	gate: (GateResult & {api: Record<string, unknown>}) | {passed: false; skipped: string};
	spot_check: {passed: boolean; checks: SpotCheck[]; table_counts: Record<string, number>};
	reconciliation: {passed: boolean; sample: number; seed: number; users_sampled: number; candidates: number; user_ids: number[]; memberships_expected: number; activities_expected: number; differences: Difference[]};
};

/** The API to call: the params, else RUNBOOK_API_URL / RUNBOOK_API_TOKEN. */
function apiTarget(context: Context): {url: string | undefined; token: string | undefined} {
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

async function runGate(context: Context, sampled: readonly number[], mayWrite: boolean): Promise<VerificationChecks['gate']> {
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

async function runChecks(context: Context, runs: RunsToVerify, mayWrite: boolean): Promise<VerificationChecks> {
	const sql = context.database.sql;
	const record = context.recordSql;
	const scopes = {backfill: await backfillScope(sql, runs.backfill), migration: await migrationScope(sql, runs.migrate)};
	const candidates = await candidateUsers(sql, scopes.backfill, record);
	const sampled = sampleIds(candidates, context.params.sample, context.params.seed);

	const gate = await runGate(context, sampled, mayWrite);
	const members = await backfillSpotCheck(sql, runs.backfill, record);
	const activities = await migrationSpotChecks(sql, runs.migrate, scopes.migration, record);
	const spotChecks = [members, ...activities.checks];
	const reconciliation = await reconcileUsers(sql, sampled, runs, scopes);
	return {
		gate,
		spot_check: {passed: spotChecks.every(check => check.passed), checks: spotChecks, table_counts: activities.tableCounts},
		reconciliation: {
			passed: reconciliation.differences.length === 0,
			sample: context.params.sample,
			seed: context.params.seed,
			users_sampled: sampled.length,
			candidates: candidates.length,
			user_ids: sampled,
			memberships_expected: reconciliation.memberships_expected,
			activities_expected: reconciliation.activities_expected,
			differences: reconciliation.differences,
		},
	};
}

function metricsOf(checks: VerificationChecks): Record<string, number> {
	const passed = checks.spot_check.checks.filter(check => check.passed).length;
	return {
		api_gate_passed: checks.gate.passed ? 1 : 0,
		flag_on: 'flag_on' in checks.gate && checks.gate.flag_on ? 1 : 0,
		spot_checks_passed: passed,
		spot_checks_failed: checks.spot_check.checks.length - passed,
		users_sampled: checks.reconciliation.users_sampled,
		differences: checks.reconciliation.differences.length,
	};
}

/** One line per problem, the first few differences spelled out. */
export function failureSummary(checks: VerificationChecks): string[] {
	const lines: string[] = [];
	if ('skipped' in checks.gate) {
		lines.push(`API gate not checked (${checks.gate.skipped})`);
	} else if (!checks.gate.passed) {
		lines.push(`API gate (flag ${checks.gate.flag_on ? 'on' : 'off'}): ${checks.gate.checks.filter(check => !check.passed).map(check => `${check.name}: ${check.detail}`).join('; ')}`);
	}

	for (const check of checks.spot_check.checks.filter(check => !check.passed)) {
		lines.push(`spot check "${check.name}": expected ${check.expected}, found ${check.found}`);
	}

	const {differences} = checks.reconciliation;
	if (differences.length > 0) {
		const first = differences.slice(0, 5).map(difference => `user ${difference.user_id}${difference.community_id === null ? '' : ` community ${difference.community_id}`} ${difference.kind} (expected ${JSON.stringify(difference.expected)}, found ${JSON.stringify(difference.found)})`);
		lines.push(`${differences.length} difference${differences.length === 1 ? '' : 's'} for sampled users: ${first.join('; ')}${differences.length > 5 ? '; …' : ''}`);
	}

	return lines;
}

async function verifyAll(context: Context, mayWrite: boolean): Promise<JobResult> {
	const runs = await findRunsToVerify(context.database.sql, context.params.runs ?? {});
	const checks = await runChecks(context, runs, mayWrite);
	const metrics = metricsOf(checks);
	const details = {runs: {backfill: runs.backfill.runId, migrate: runs.migrate.runId}, checks};
	const result: JobResult = {metrics, details, samples: checks.reconciliation.differences.slice(0, 20)};
	const problems = failureSummary(checks).filter(line => mayWrite || !line.startsWith('API gate not checked'));
	if (problems.length > 0) {
		if (mayWrite) {
			// The engine records no metrics for a failed step; keep them on the run row for `status` and the evidence.
			await context.database.sql.run('UPDATE runbook_runs SET metrics = ? WHERE run_id = ?', [JSON.stringify(metrics), context.runId]);
		}

		throw Object.assign(
			new VerificationFailed(`Verification failed: ${problems.join(' | ')}.`, {
				hint: 'Every difference is in the step evidence and in the JSON output (checks); fix the cause, or undo the run with `community-runbook rollback`.',
				details,
			}),
			{result, extra: {checks}},
		);
	}

	return result;
}

export const verify: Job<VerifyParams> = {
	name: 'verify',
	parameters: verifyParameters as z.ZodType<VerifyParams>,
	// Verification changes nothing; its parameters never make a run "different".
	semanticParams: () => ({}),
	touches: [],
	async check(context): Promise<CheckResult> {
		const target = apiTarget(context);
		const checks: Array<{name: string; ok: boolean; detail: string}> = [];
		if (context.profile === 'production') {
			const missing = [target.url ? null : '--api-url (or RUNBOOK_API_URL)', target.token ? null : '--token (or RUNBOOK_API_TOKEN)'].filter(Boolean);
			checks.push({name: 'API access', ok: missing.length === 0, detail: missing.length === 0 ? 'API URL and token given' : `the production profile needs ${missing.join(' and ')}`});
		}

		try {
			const runs = await findRunsToVerify(context.database.sql, context.params.runs ?? {});
			checks.push({name: 'runs to verify', ok: true, detail: `backfill-membership ${runs.backfill.runId}, migrate-legacy-activity ${runs.migrate.runId}`});
		} catch (error) {
			checks.push({name: 'runs to verify', ok: false, detail: (error as Error).message});
		}

		return {ok: checks.every(check => check.ok), checks};
	},
	async plan(context) {
		return verifyAll(context, false);
	},
	async execute(context) {
		return verifyAll(context, true);
	},
};
