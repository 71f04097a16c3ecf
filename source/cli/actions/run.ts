import {UsageError} from '../../core/errors.js';
import type {Operator, RunResult} from '../../engine/runner-events.js';
import {createRunReporter} from '../../reporters/run-reporter.js';
import type {CommandContext, CommandResult} from '../command.js';
import type {RunOptions} from '../commands/run.js';
import {assertStepIds, runOverrides, runStage11} from '../runbook-session.js';

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

export async function runRunbookCommand(context: CommandContext, options: RunOptions): Promise<CommandResult> {
	assertStepIds({...options, unfinished: 'refuse'});
	runOverrides({...options, unfinished: 'refuse'});
	if (!context.global.yes) {
		throw new UsageError('run needs --yes to answer the confirmations.', {hint: 'Use `community-runbook run --yes --backup-ack`, or `community-runbook guide` in a terminal.'});
	}

	const write = (line: string) => context.terminal.stderr.write(`${line}\n`);
	const onEvent = createRunReporter(context.global.events === 'json' ? 'json' : context.global.output === 'json' ? 'silent' : 'plain', write);
	const unfinished = context.global.restart ? 'restart' : options.resume ? 'resume' : 'refuse';
	const result = await runStage11(context, flagOperator({backupAck: options.backupAck, acceptDrift: context.global.acceptDrift}), onEvent, {...options, unfinished});
	return runResultToCommand(result);
}
