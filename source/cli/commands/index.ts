import {backfillParameters} from '../../jobs/backfill/params.js';
import {legacyActivityParameters} from '../../jobs/legacy-activity/params.js';
import {enableFeatureParameters} from '../../jobs/params/enable-feature.js';
import {rollbackParameters} from '../../jobs/params/rollback.js';
import {seedBaselineParameters} from '../../jobs/params/seed-baseline.js';
import {verifyParameters} from '../../jobs/params/verify.js';
import type {CommandEntry} from '../command.js';
import {jobCommand} from '../define-command.js';
import {demoCommand} from './demo.js';
import {evidenceCommand} from './evidence.js';
import {guideCommand} from './guide.js';
import {runCommand} from './run.js';
import {serveCommand} from './serve.js';
import {statusCommand} from './status.js';

// Every command of DESIGN.md §10, in help order. Job commands are their job's parameters plus the job, loaded only
// when the command runs.
export const commands: CommandEntry[] = [
	guideCommand,
	runCommand,
	jobCommand({
		name: 'seed-baseline',
		summary: 'Upsert the baseline categories, levels and points rules',
		parameters: seedBaselineParameters,
		job: async () => (await import('../../jobs/seed-baseline.js')).seedBaseline,
		dryRun: true,
		force: true,
	}),
	jobCommand({
		name: 'backfill-membership',
		summary: 'Backfill community memberships from classroom enrollments',
		parameters: backfillParameters,
		job: async () => (await import('../../jobs/backfill-membership.js')).backfillMembership,
		dryRun: true,
		force: false,
	}),
	jobCommand({
		name: 'migrate-legacy-activity',
		summary: 'Migrate posts, comments and certificates into profile_activities',
		parameters: legacyActivityParameters,
		job: async () => (await import('../../jobs/migrate-legacy-activity.js')).migrateLegacyActivity,
		dryRun: true,
		force: false,
	}),
	jobCommand({
		name: 'enable-feature',
		summary: 'Turn a feature flag on (flag and rollout files) and mark beta communities',
		parameters: enableFeatureParameters,
		job: async () => (await import('../../jobs/enable-feature.js')).enableFeature,
		dryRun: true,
		force: true,
	}),
	jobCommand({
		name: 'verify',
		summary: 'Verify the API gate, the SQL spot check and sampled users',
		parameters: verifyParameters,
		job: async () => (await import('../../jobs/verify.js')).verify,
		dryRun: false,
		force: false,
		stepId: 'verify',
		stepNumber: 8,
		extra: details => ({checks: details.checks ?? null}),
		secrets: (params, env) => [typeof params.token === 'string' ? params.token : undefined, env.RUNBOOK_API_TOKEN],
	}),
	jobCommand({
		name: 'rollback',
		summary: 'Undo exactly what a run changed, newest first (a runbook run: its whole session)',
		parameters: rollbackParameters,
		job: async () => (await import('../../jobs/rollback.js')).rollbackJob,
		dryRun: false,
		force: false,
		mode: 'rollback',
		stepId: 'rollback',
		stepNumber: 10,
		extra: details => ({target_run: details.target_run ?? null, conflicts: details.conflicts ?? []}),
	}),
	statusCommand,
	evidenceCommand,
	demoCommand,
	serveCommand,
];
