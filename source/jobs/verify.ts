import {z} from 'zod';
import {VerificationFailed} from '../core/errors.js';
import type {CheckResult, Job, JobContext, JobResult} from '../engine/job.js';
import {apiTarget, type GateOutcome, runGate} from './verification/gate-session.js';
import {type Difference, reconcileUsers} from './verification/reconcile.js';
import {findRunsToVerify, type RunsToVerify} from './verification/runs.js';
import {candidateUsers, sampleIds} from './verification/sample.js';
import {backfillScope, migrationScope} from './verification/scope.js';
import {feedDuplicatesCheck} from './verification/feed-duplicates.js';
import {backfillSpotCheck, migrationSpotChecks, type SpotCheck} from './verification/spot-check.js';

// verify (DESIGN.md §7, runbook step 8): 1. the API gate, 2. the SQL spot checks (with the feed duplicates of §3.3),
// 3. reconciliation of sampled users.
// Every check runs (one failure does not hide the others); any failure is exit 4 with the differences.

import {type VerifyParams, verifyParameters} from './params/verify.js';

export type {VerifyParams} from './params/verify.js';
type Context = JobContext<VerifyParams>;

export type VerificationChecks = {
	gate: GateOutcome;
	spot_check: {passed: boolean; checks: SpotCheck[]; table_counts: Record<string, number>};
	reconciliation: {passed: boolean; sample: number; seed: number; users_sampled: number; candidates: number; user_ids: number[]; memberships_expected: number; activities_expected: number; differences: Difference[]};
};

async function runChecks(context: Context, runs: RunsToVerify, mayWrite: boolean): Promise<VerificationChecks> {
	const sql = context.database.sql;
	const record = context.recordSql;
	const scopes = {backfill: await backfillScope(sql, runs.backfill, context.platform), migration: await migrationScope(sql, runs.migrate, context.platform)};
	const candidates = await candidateUsers(sql, scopes.backfill, record);
	const sampled = sampleIds(candidates, context.params.sample, context.params.seed);

	const gate = await runGate(context, sampled, mayWrite);
	const members = await backfillSpotCheck(sql, runs.backfill, record, context.platform);
	const activities = await migrationSpotChecks(sql, runs.migrate, scopes.migration, record);
	const duplicates = await feedDuplicatesCheck(sql, record);
	const spotChecks = [members, ...activities.checks, duplicates];
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
		feed_duplicates: checks.spot_check.checks.find(check => check.name === 'feed duplicates')?.found ?? 0,
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
		if (check.problem) {
			lines.push(`spot check "${check.name}": ${check.problem}`);
			continue;
		}

		const differing = (check.details?.communities_differing as number[] | undefined) ?? [];
		lines.push(`spot check "${check.name}": expected ${check.expected}, found ${check.found}${differing.length > 0 ? ` (per-community counts differ in communities ${differing.join(', ')})` : ''}`);
	}

	const {differences} = checks.reconciliation;
	if (differences.length > 0) {
		const first = differences.slice(0, 5).map(difference => `user ${difference.user_id}${difference.community_id === null ? '' : ` community ${difference.community_id}`} ${difference.kind} (expected ${JSON.stringify(difference.expected)}, found ${JSON.stringify(difference.found)})`);
		lines.push(`${differences.length} difference${differences.length === 1 ? '' : 's'} for sampled users: ${first.join('; ')}${differences.length > 5 ? '; …' : ''}`);
	}

	return lines;
}

async function verifyAll(context: Context, mayWrite: boolean): Promise<JobResult> {
	const runs = await findRunsToVerify(context.database, {backfill: context.params.backfillRun, migrate: context.params.migrateRun});
	const checks = await runChecks(context, runs, mayWrite);
	const metrics = metricsOf(checks);
	const details = {runs: {backfill: runs.backfill.runId, migrate: runs.migrate.runId}, checks};
	const result: JobResult = {metrics, details, samples: checks.reconciliation.differences.slice(0, 20)};
	const problems = failureSummary(checks).filter(line => mayWrite || !line.startsWith('API gate not checked'));
	if (problems.length > 0) {
		// The result rides on the error: the step runner keeps its metrics on the run row and in the evidence.
		throw Object.assign(
			new VerificationFailed(`Verification failed: ${problems.join(' | ')}.`, {
				hint: 'Every difference is in the step evidence and in the JSON output (checks); fix the cause, or undo the run with `community-runbook rollback`.',
				details,
			}).withRun({metrics, extra: {checks}}),
			{result},
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
			const runs = await findRunsToVerify(context.database, {backfill: context.params.backfillRun, migrate: context.params.migrateRun});
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
