import type {Database} from '../../db/orm.js';
import {PrerequisiteFailed} from '../../core/errors.js';
import {findRun, latestRun, type RunRow} from '../../db/bookkeeping/runs.js';
import {formatTimestamp, parseTimestamp} from '../../core/timestamps.js';

// The runs verify checks (DESIGN.md §7): the newest succeeded execute runs of backfill-membership and
// migrate-legacy-activity, or the ones the runbook names explicitly.

export const backfillJob = 'backfill-membership';
export const migrateJob = 'migrate-legacy-activity';

export type VerifiedRun = {
	readonly runId: string;
	readonly metrics: Readonly<Record<string, number>>;
	readonly params: Readonly<Record<string, unknown>>;
	readonly state: Readonly<Record<string, unknown>>;
	/** The run's start as 'YYYY-MM-DD HH:MM:SS' UTC (the backfill's joined_at fallback). */
	readonly startedAt: string;
};

export type RunsToVerify = {readonly backfill: VerifiedRun; readonly migrate: VerifiedRun};

function toVerified(run: RunRow): VerifiedRun {
	return {runId: run.runId, metrics: run.metrics, params: run.params, state: run.state, startedAt: formatTimestamp(parseTimestamp(run.startedAt.slice(0, 19)))};
}

async function findOne(database: Database, job: string, explicit: string | undefined): Promise<VerifiedRun | string> {
	if (explicit) {
		const run = await findRun(database, explicit);
		if (!run || run.job !== job) {
			return `run ${explicit} is not a ${job} run in runbook_runs`;
		}

		return run.status === 'succeeded' && run.mode === 'execute' ? toVerified(run) : `run ${explicit} of ${job} is ${run.mode} / ${run.status}, not a succeeded execution`;
	}

	const run = await latestRun(database, {job, mode: 'execute', status: 'succeeded'});
	return run ? toVerified(run) : `no succeeded ${job} run in runbook_runs`;
}

/** Both runs, or PrerequisiteFailed naming what is missing (there is nothing to verify without them). */
export async function findRunsToVerify(database: Database, explicit: {readonly backfill?: string | undefined; readonly migrate?: string | undefined} = {}): Promise<RunsToVerify> {
	const backfill = await findOne(database, backfillJob, explicit.backfill);
	const migrate = await findOne(database, migrateJob, explicit.migrate);
	const problems = [backfill, migrate].filter((entry): entry is string => typeof entry === 'string');
	if (problems.length > 0) {
		throw new PrerequisiteFailed(`Nothing to verify: ${problems.join('; ')}.`, {hint: 'Run backfill-membership --source=classrooms and migrate-legacy-activity first (runbook steps 4 and 6).'});
	}

	return {backfill: backfill as VerifiedRun, migrate: migrate as VerifiedRun};
}

/** The numbers a run reported; a missing metric counts as 0. */
export function metric(run: VerifiedRun, name: string): number {
	return Number(run.metrics[name] ?? 0);
}
