import type {Sql} from '../db/sql.js';
import {findRun, type RunRow} from './run-record.js';
import {undoScope} from './rollback.js';

/**
 * The runbook session a run belongs to (or is): its job runs that still have changes to undo, newest first. An
 * operator who ran `run --yes` and then `rollback` means the whole session, not just its last step. Undefined when
 * the run was a single job command.
 */
export async function sessionRunsToUndo(sql: Sql, target: RunRow): Promise<{runbookRunId: string; runIds: string[]} | undefined> {
	let session: RunRow | undefined = target.job.startsWith('runbook:') ? target : undefined;
	if (!session) {
		const candidates = await sql.all<{run_id: string}>("SELECT run_id FROM runbook_runs WHERE job LIKE 'runbook:%' ORDER BY id DESC LIMIT 50");
		for (const candidate of candidates) {
			const run = await findRun(sql, String(candidate.run_id));
			if (run && jobRunIds(run).includes(target.runId)) {
				session = run;
				break;
			}
		}
	}

	if (!session) {
		return undefined;
	}

	const pending: string[] = [];
	for (const runId of jobRunIds(session)) {
		if ((await undoScope(sql, runId)).pending > 0) {
			pending.push(runId);
		}
	}

	return {runbookRunId: session.runId, runIds: pending.reverse()};
}

function jobRunIds(run: RunRow): string[] {
	const steps = (run.state as {steps?: Record<string, {jobRunId?: string | null}>}).steps ?? {};
	return Object.values(steps)
		.map(step => step.jobRunId)
		.filter((id): id is string => typeof id === 'string');
}
