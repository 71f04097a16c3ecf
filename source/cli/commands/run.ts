import {z} from 'zod';
import {UsageError} from '../../core/errors.js';
import type {Operator, RunResult} from '../../engine/runner-events.js';
import {createRunReporter} from '../../reporters/run-reporter.js';
import type {CommandResult, CommandSpec} from '../command.js';
import {assertStepIds, runStage11} from '../runbook-session.js';

const size = (flag: string) =>
	z
		.string()
		.regex(/^\d+$/, `${flag} must be a whole number between 1 and 100000`)
		.transform(Number)
		.refine(value => value >= 1 && value <= 100_000, `${flag} must be a whole number between 1 and 100000`)
		.optional();

const schema = z.object({
	from: z.string().optional(),
	until: z.string().optional(),
	resume: z.boolean().default(false),
	backupAck: z.boolean().default(false),
	batch: size('--batch'),
	chunk: size('--chunk'),
	since: z.string().min(1, '--since needs a value like "-90 days" or 2025-08-01').optional(),
});

type Options = z.infer<typeof schema>;

/** `run --yes`: answers every confirmation from flags; the backup acknowledgement needs --backup-ack. */
export function flagOperator(options: {readonly backupAck: boolean; readonly acceptDrift: boolean}): Operator {
	return {
		async decide(request) {
			if (request.step === 'prerequisites' && !options.backupAck) {
				return {answer: 'abort', by: '--yes', exitCode: 3, reason: 'A fresh database backup must be acknowledged before the run.', hint: 'Take a backup, then pass --backup-ack.'};
			}

			return {answer: 'run', by: request.step === 'prerequisites' ? '--backup-ack' : '--yes'};
		},
		async onFailure() {
			return 'quit';
		},
		async onDrift() {
			return options.acceptDrift ? 'accept' : 'quit';
		},
	};
}

export function runResultToCommand(result: RunResult): CommandResult {
	const failed = result.steps.find(step => step.status === 'failed' || step.status === 'aborted');
	return {
		status: result.status,
		exitCode: result.exitCode,
		run_id: result.runId,
		evidence_dir: result.evidenceDir,
		metrics: {},
		lines: result.steps.map(step => `${step.status.padEnd(9)} ${step.id}${step.reason ? ` (${step.reason})` : ''}${step.error ? `: ${step.error.message}` : ''}`),
		extra: {
			steps: result.steps,
			error: failed?.error ?? null,
		},
	};
}

export const runCommand: CommandSpec<Options> = {
	name: 'run',
	summary: 'Run the stage-11 runbook steps 1-9 non-interactively',
	options: [
		['--from <step>', 'first step to run'],
		['--until <step>', 'last step to run'],
		['--resume', 'continue the last unfinished run'],
		['--backup-ack', 'acknowledge a fresh backup exists (needed with --yes)'],
		['--batch <n>', 'backfill batch size (default 1000)'],
		['--chunk <n>', 'legacy-activity chunk size (default 500)'],
		['--since <when>', 'legacy activity since (ISO date or "-90 days")'],
	],
	schema,
	async run(context, options) {
		assertStepIds(options);
		if (!context.global.yes) {
			throw new UsageError('run needs --yes to answer the confirmations.', {hint: 'Use `community-runbook run --yes --backup-ack`, or `community-runbook guide` in a terminal.'});
		}

		const write = (line: string) => context.terminal.stderr.write(`${line}\n`);
		const onEvent = createRunReporter(context.global.events === 'json' ? 'json' : context.global.output === 'json' ? 'silent' : 'plain', write);
		const result = await runStage11(context, flagOperator({backupAck: options.backupAck, acceptDrift: context.global.acceptDrift}), onEvent, options);
		return runResultToCommand(result);
	},
};
