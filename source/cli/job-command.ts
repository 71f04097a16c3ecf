import type {z} from 'zod';
import {UsageError} from '../core/errors.js';
import {redactValue} from '../core/redact.js';
import {type JobStepOutcome, parseJobParams, runJobStep} from '../engine/job-runner.js';
import {EvidenceFolder} from '../evidence/evidence-folder.js';
import type {Job} from '../engine/job.js';
import type {CommandResult, CommandSpec} from './command.js';
import {openJobSession, stepPorts, toolVersion} from './job-session.js';
import {openThrottle, type ThrottleSession} from './throttle-session.js';

export type JobCommandSpec<Options> = {
	readonly name: string;
	readonly summary: string;
	readonly options: CommandSpec['options'];
	readonly schema: z.ZodType<Options>;
	readonly job: Job<any>;
	readonly rawParams: (options: Options) => Record<string, unknown>;
	readonly dryRun?: (options: Options) => boolean;
	/** seed-baseline and enable-feature refuse in production without --force (DESIGN.md §10). */
	readonly force?: (options: Options) => boolean;
	readonly stepId?: string;
};

/** A single job as a command: the command itself is the operator's decision, so it asks nothing. */
export function jobCommand<Options>(spec: JobCommandSpec<Options>): CommandSpec<Options> {
	return {
		name: spec.name,
		summary: spec.summary,
		options: spec.options,
		schema: spec.schema,
		async run(context, options): Promise<CommandResult> {
			const rawParams = spec.rawParams(options);
			parseJobParams(spec.job, rawParams);
			const dryRun = spec.dryRun?.(options) ?? false;
			if (spec.force && !dryRun && context.profile === 'production' && !spec.force(options)) {
				throw new UsageError(`${spec.name} refuses to write to a production database without --force.`, {hint: `Re-run with --force once you have checked the target (${spec.name} --force).`});
			}

			const session = await openJobSession(context);
			let folder: EvidenceFolder | undefined;
			let throttle: ThrottleSession | undefined;
			try {
				// An unreachable probe is a prerequisite failure before the run (exit 3); dry runs write nothing to wait for.
				throttle = dryRun ? undefined : await openThrottle(context, session.database);
				const outcome: JobStepOutcome = await runJobStep({
					...stepPorts(context, session),
					job: spec.job,
					rawParams,
					mode: dryRun ? 'dry-run' : 'execute',
					step: {number: 1, id: spec.stepId ?? (dryRun ? `${spec.name}-dry-run` : spec.name), title: spec.summary},
					acceptDrift: context.global.acceptDrift,
					decision: {by: 'command', answer: 'run'},
					async evidence(runId) {
						folder = await EvidenceFolder.create(context.evidenceRoot, runId, {tool_version: toolVersion, database: session.fingerprint, command: spec.name});
						return folder;
					},
					throttle: throttle?.probe,
					emit: session.emit,
				});
				await folder?.finalize({status: outcome.status});
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
				};
			} catch (error) {
				await folder?.finalize({status: 'failed'}).catch(() => undefined);
				throw error;
			} finally {
				await throttle?.close();
				await session.close();
			}
		},
	};
}
