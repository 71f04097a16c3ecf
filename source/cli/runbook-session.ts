import stage11 from '../../runbook/stage11.js';
import {UsageError} from '../core/errors.js';
import {loadRunbook, type Runbook} from '../engine/runbook-schema.js';
import type {Operator, RunEvent, RunResult} from '../engine/runner-events.js';
import {parseJobParams} from '../engine/job-runner.js';
import type {Unfinished} from '../engine/run-lifecycle.js';
import {runRunbook} from '../engine/runner.js';
import {EvidenceFolder} from '../evidence/evidence-folder.js';
import {jobRegistry} from '../jobs/registry.js';
import type {CommandContext} from './command.js';
import {openJobSession, stepPorts} from './job-session.js';
import {toolVersion} from './tool-version.js';
import {openThrottle} from './throttle-session.js';

export const stage11Runbook: Runbook = loadRunbook(stage11);

export type RunbookRunOptions = {
	readonly from?: string | undefined;
	readonly until?: string | undefined;
	readonly unfinished: Unfinished;
	readonly batch?: string | undefined;
	readonly chunk?: string | undefined;
	readonly since?: string | undefined;
};

/**
 * `run --batch/--chunk/--since` as per-job overrides, checked by each job's own schema against its steps before
 * anything connects (one usage line naming the flag).
 */
export function runOverrides(options: RunbookRunOptions): Record<string, Record<string, unknown>> {
	const overrides: Record<string, Record<string, unknown>> = {};
	if (options.batch !== undefined) overrides['backfill-membership'] = {batch: options.batch};
	if (options.chunk !== undefined || options.since !== undefined) {
		overrides['migrate-legacy-activity'] = {...(options.chunk === undefined ? {} : {chunk: options.chunk}), ...(options.since === undefined ? {} : {since: options.since})};
	}

	for (const step of stage11Runbook.steps) {
		const job = jobRegistry[step.job];
		if (job && overrides[step.job]) {
			parseJobParams(job, {...step.params, ...overrides[step.job]});
		}
	}

	return overrides;
}

/** Checks --from/--until against the runbook before anything connects. */
export function assertStepIds(options: RunbookRunOptions): void {
	for (const [flag, id] of [
		['--from', options.from],
		['--until', options.until],
	] as const) {
		if (id !== undefined && !stage11Runbook.steps.some(step => step.id === id)) {
			throw new UsageError(`${flag}: unknown step "${id}".`, {hint: `Use one of: ${stage11Runbook.steps.map(step => step.id).join(', ')}.`});
		}
	}
}

/** Opens the database and evidence, then walks the stage-11 runbook with the given operator. */
export async function runStage11(context: CommandContext, operator: Operator, onEvent: (event: RunEvent) => void, options: RunbookRunOptions): Promise<RunResult> {
	const session = await openJobSession(context);
	// Probes are checked by the prerequisites step; during the run an unreachable one warns and waits.
	const throttle = await openThrottle(context, session.database, {check: false}).catch(async error => {
		await session.close();
		throw error;
	});
	try {
		return await runRunbook({
			runbook: stage11Runbook,
			registry: jobRegistry,
			operator,
			onEvent,
			overrides: runOverrides(options),
			from: options.from,
			until: options.until,
			unfinished: options.unfinished,
			...stepPorts(context, session),
			async openEvidence(runId, existingDir) {
				return existingDir ? EvidenceFolder.open(existingDir) : EvidenceFolder.create(context.evidenceRoot, runId, {tool_version: toolVersion, database: session.fingerprint, command: 'run'});
			},
			throttle: throttle.probe,
		});
	} finally {
		await throttle.close();
		await session.close();
	}
}
