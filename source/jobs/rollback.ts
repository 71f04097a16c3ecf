import {z} from 'zod';
import {emptyRollbackMetrics, findRollbackTarget, rollbackFailure, rollbackRun, rollbackRuns, type RollbackRunsResult, undoScope} from '../engine/rollback.js';
import type {CheckResult, Job, JobContext, JobResult} from '../engine/job.js';

// Step 10 of the runbook (DESIGN.md §5, §8) as a job: the runner passes `runs` (the session's execute runs, newest
// first) and runs it through runJobStep, which already holds the run lock — so the undo engine does not take it
// again. Standalone, `run` names one run; neither → the newest run with changes left to undo.

export type RollbackParams = {run?: string; runs?: string[]; overwriteConflicts: boolean};

const runId = z.string().trim().min(1, '--run needs a run id');

export const rollbackJob: Job<RollbackParams> = {
	name: 'rollback',
	parameters: z.object({
		run: runId.optional(),
		runs: z.array(runId).optional(),
		overwriteConflicts: z.union([z.boolean(), z.enum(['true', 'false']).transform(value => value === 'true')]).default(false),
	}) as z.ZodType<RollbackParams>,
	// --overwrite-conflicts is the operator's answer to a failed attempt, not a different rollback: a retry resumes.
	semanticParams: params => ({run: params.run ?? null, runs: params.runs ?? null}),
	touches: ['community_members', 'profile_activities', 'communities', 'community_categories', 'community_levels', 'community_points_rules'],
	async check(): Promise<CheckResult> {
		return {ok: true, checks: []};
	},
	async plan(context): Promise<JobResult> {
		// Read-only: what would be undone, per run.
		const targets = context.params.runs ?? [(await findRollbackTarget(context.database.sql, context.params.run))?.runId].filter((id): id is string => id !== undefined);
		const scopes = await Promise.all(targets.map(async id => ({run: id, ...(await undoScope(context.database.sql, id))})));
		return {metrics: emptyRollbackMetrics(), details: {runs: scopes}};
	},
	async execute(context: JobContext<RollbackParams>): Promise<JobResult> {
		const common = {
			database: context.database,
			appRoot: context.appRoot,
			overwriteConflicts: context.params.overwriteConflicts,
			signal: context.signal,
			clock: {now: () => new Date()},
			// The step runner holds the run lock for this database already.
			lockHeld: true,
			self: {host: 'runbook-step', pid: 0, isAlive: () => true},
			report: context.report,
			warn: context.warn,
			recordSql: context.recordSql,
			breakLock: context.options.breakLock,
		};
		let result: RollbackRunsResult;
		if (context.params.runs) {
			result = await rollbackRuns({...common, runIds: context.params.runs});
		} else {
			const single = await rollbackRun({...common, runId: context.params.run});
			result = {metrics: single.metrics, conflicts: single.conflicts, runs: [single]};
		}

		const left = result.conflicts.filter(conflict => conflict.resolution === 'left');
		if (left.length > 0) {
			throw rollbackFailure(result);
		}

		return {
			metrics: {...result.metrics},
			warnings: result.runs.flatMap(run => run.warnings),
			samples: result.conflicts.slice(0, 20),
			details: {
				runs: result.runs.map(run => ({target_run: run.targetRunId, job: run.target?.job ?? null, rollback_run: run.rollbackRunId, metrics: run.metrics, complete: run.complete, nothing_to_do: run.nothingToDo, tables: run.tables, files: run.files})),
				conflicts: result.conflicts,
			},
		};
	},
};
