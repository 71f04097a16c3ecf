import {UsageError} from '../../core/errors.js';
import {childRuns, findRun, type RunRow} from '../../db/bookkeeping/runs.js';
import {newestRunWithPendingUndo, undoScope, type UndoScope} from '../../db/bookkeeping/undo-journal.js';
import type {Database} from '../../db/orm.js';

// Which runs a rollback undoes (DESIGN.md §8): a plain `rollback` takes the newest execute run with changes left
// to undo — its whole runbook session when it belongs to one; `--run=<id>` names a runbook run (its whole session)
// or a job run (that run only).

export type RollbackTarget = {
	/** What is rolled back: a job run, or a runbook session. */
	readonly scope: RunRow;
	readonly session: boolean;
	/** The job runs whose changes are undone, newest first. */
	readonly runIds: readonly string[];
	readonly undo: UndoScope;
};

export async function findRollbackTarget(database: Database, runId?: string): Promise<RollbackTarget | undefined> {
	const named = runId === undefined ? await newestTarget(database) : await namedRun(database, runId);
	if (!named) {
		return undefined;
	}

	const session = named.job.startsWith('runbook:') ? named : runId === undefined && named.parentRunId ? await findRun(database, named.parentRunId) : undefined;
	const runIds = session ? await sessionRuns(database, session) : [named.runId];
	return {scope: session ?? named, session: session !== undefined, runIds, undo: await undoScope(database.sql, runIds)};
}

async function namedRun(database: Database, runId: string): Promise<RunRow> {
	const run = await findRun(database, runId);
	if (!run) {
		throw new UsageError(`Run ${runId} was not found in runbook_runs.`, {hint: 'Pick a run id from `community-runbook status`.'});
	}

	if (run.mode !== 'execute') {
		throw new UsageError(`Run ${runId} is a ${run.mode} run; only execute runs change data and can be rolled back.`, {hint: 'Pick an execute run from `community-runbook status`.'});
	}

	return run;
}

async function newestTarget(database: Database): Promise<RunRow | undefined> {
	const runId = await newestRunWithPendingUndo(database.sql);
	return runId ? findRun(database, runId) : undefined;
}

/**
 * A session's job runs, newest first: its children by parent_run_id; sessions recorded before that column was written
 * name them in their state.
 */
async function sessionRuns(database: Database, session: RunRow): Promise<string[]> {
	const children = (await childRuns(database, session.runId, 'execute')).map(run => run.runId);
	if (children.length > 0) {
		return children.reverse();
	}

	const steps = (session.state as {steps?: Record<string, {jobRunId?: unknown}>}).steps ?? {};
	return Object.values(steps)
		.map(step => step.jobRunId)
		.filter((id): id is string => typeof id === 'string')
		.reverse();
}

/** `Rolling back run <id> (<job>, started …)`, or the session with its job runs. */
export function describeTarget(target: RollbackTarget): string {
	const {scope} = target;
	const what = target.session ? `runbook run ${scope.runId} (${target.runIds.length} job run${target.runIds.length === 1 ? '' : 's'}, newest first)` : `run ${scope.runId} (${scope.job})`;
	return `Rolling back ${what}, started ${scope.startedAt} UTC: ${target.undo.pending} change${target.undo.pending === 1 ? '' : 's'} to undo${target.undo.tables.length + target.undo.files.length > 0 ? ` in ${[...target.undo.tables, ...target.undo.files].join(', ')}` : ''}.`;
}
