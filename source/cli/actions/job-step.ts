import {UsageError} from '../../core/errors.js';
import {redactValue, registerSecret} from '../../core/redact.js';
import {parseJobParams, runJobStep} from '../../engine/job-runner.js';
import {describeTarget, findRollbackTarget} from '../../engine/undo/rollback-target.js';
import {EvidenceFolder} from '../../evidence/evidence-folder.js';
import type {CommandContext, CommandResult} from '../command.js';
import type {JobCommandDefinition} from '../define-command.js';
import {openJobSession, stepPorts} from '../job-session.js';
import {openThrottle, type ThrottleSession} from '../throttle-session.js';
import {toolVersion} from '../tool-version.js';

/**
 * Runs one job as a command: bad input is refused before connecting, production refuses seed/enable without --force,
 * the step runs with its own evidence folder, and the result becomes the JSON document of DESIGN.md §10.
 */
export async function runJobCommand(context: CommandContext, definition: JobCommandDefinition, rawParams: Record<string, unknown>, dryRun: boolean): Promise<CommandResult> {
	const job = await definition.job();
	for (const secret of definition.secrets?.(rawParams, context.terminal.env) ?? []) {
		registerSecret(secret);
	}

	parseJobParams(job, rawParams);
	if (definition.force && !dryRun && context.profile === 'production' && rawParams.force !== true) {
		throw new UsageError(`${definition.name} refuses to write to a production database without --force.`, {hint: `Re-run with --force once you have checked the target (${definition.name} --force), or look first with --dry-run.`});
	}

	const mode = dryRun ? 'dry-run' : (definition.mode ?? 'execute');
	const session = await openJobSession(context);
	let folder: EvidenceFolder | undefined;
	let throttle: ThrottleSession | undefined;
	try {
		if (mode === 'rollback') {
			const target = await findRollbackTarget(session.database, typeof rawParams.run === 'string' ? rawParams.run.trim() : undefined);
			context.terminal.stderr.write(`${target ? describeTarget(target) : 'Nothing to undo: no execute run has changes left to roll back.'}\n`);
		}

		// An unreachable probe is a prerequisite failure before the run (exit 3); dry runs write nothing to wait for.
		throttle = mode === 'execute' ? await openThrottle(context, session.database) : undefined;
		const outcome = await runJobStep({
			...stepPorts(context, session),
			job,
			rawParams,
			mode,
			step: {number: definition.stepNumber ?? 1, id: definition.stepId ?? (dryRun ? `${definition.name}-dry-run` : definition.name), title: definition.summary},
			unfinished: context.global.restart ? 'restart' : 'resume',
			decideDrift: async () => (context.global.acceptDrift ? 'accept' : 'quit'),
			decision: {by: 'command', answer: 'run'},
			async evidence(runId) {
				folder = await EvidenceFolder.create(context.evidenceRoot, runId, {tool_version: toolVersion, database: session.fingerprint, command: definition.name});
				return folder;
			},
			throttle: throttle?.probe,
			emit: session.emit,
		});
		await folder?.finalize({status: outcome.status});
		const details = outcome.result.details ?? {};
		return {
			status: outcome.status,
			dry_run: dryRun,
			run_id: outcome.runId,
			params: redactValue(outcome.params),
			metrics: outcome.metrics,
			drift: outcome.drift,
			warnings: outcome.warnings,
			evidence_dir: folder?.dir ?? null,
			lines: outcome.resumed ? ['Resumed the unfinished run from its last committed batch.'] : [],
			extra: definition.extra?.(details) ?? {},
		};
	} catch (error) {
		await folder?.finalize({status: 'failed'}).catch(() => undefined);
		throw error;
	} finally {
		await throttle?.close();
		await session.close();
	}
}
