import {z} from 'zod';
import {type JobStepOutcome, parseJobParams, runJobStep} from '../../engine/job-runner.js';
import {redactValue, registerSecret} from '../../core/redact.js';
import {EvidenceFolder} from '../../evidence/evidence-folder.js';
import {verify} from '../../jobs/verify.js';
import type {CommandResult, CommandSpec} from '../command.js';
import {openJobSession, stepPorts, toolVersion} from '../job-session.js';

type VerifyOptions = {apiUrl?: string | undefined; token?: string | undefined; sample?: string | undefined; seed?: string | undefined};

/**
 * verify (DESIGN.md §7, §10): like jobCommand, plus the checks in the JSON document (`checks`: gate, spot_check,
 * reconciliation) on success and on failure (exit 4), so an operator's script sees every difference.
 */
export const verifyCommand: CommandSpec<VerifyOptions> = {
	name: 'verify',
	summary: 'Verify the API gate, the SQL spot check and sampled users',
	options: [
		['--api-url <url>', 'profile-activity API base URL (RUNBOOK_API_URL)'],
		['--token <token>', 'API bearer token (RUNBOOK_API_TOKEN)'],
		['--sample <n>', 'users to reconcile (default 50)'],
		['--seed <n>', 'sampling seed'],
	],
	schema: z.object({apiUrl: z.string().optional(), token: z.string().optional(), sample: z.string().optional(), seed: z.string().optional()}),
	async run(context, options): Promise<CommandResult> {
		registerSecret(options.token);
		registerSecret(context.terminal.env.RUNBOOK_API_TOKEN);
		const rawParams = {apiUrl: options.apiUrl, token: options.token, sample: options.sample, seed: options.seed};
		parseJobParams(verify, rawParams);
		const session = await openJobSession(context);
		let folder: EvidenceFolder | undefined;
		try {
			const outcome: JobStepOutcome = await runJobStep({
				...stepPorts(context, session),
				job: verify,
				rawParams,
				mode: 'execute',
				step: {number: 8, id: 'verify', title: 'Verify'},
				acceptDrift: context.global.acceptDrift,
				decision: {by: 'command', answer: 'run'},
				async evidence(runId) {
					folder = await EvidenceFolder.create(context.evidenceRoot, runId, {tool_version: toolVersion, database: session.fingerprint, command: 'verify'});
					return folder;
				},
				emit: session.emit,
			});
			await folder?.finalize({status: outcome.status});
			const checks = (outcome.result?.details as {checks?: unknown} | undefined)?.checks ?? null;
			return {
				status: outcome.status,
				dry_run: false,
				run_id: outcome.runId,
				params: redactValue(outcome.params),
				metrics: outcome.metrics,
				drift: null,
				warnings: outcome.warnings,
				evidence_dir: folder?.dir ?? null,
				extra: {checks},
				lines: ['Verification passed: API gate, SQL spot checks and sampled users.'],
			};
		} catch (error) {
			await folder?.finalize({status: 'failed'}).catch(() => undefined);
			// The job attached its result to the failure: keep its metrics in the JSON document.
			const result = (error as {result?: {metrics?: Record<string, number>}}).result;
			if (result?.metrics) {
				Object.assign(error as object, {metrics: result.metrics});
			}

			throw error;
		} finally {
			await session.close();
		}
	},
};
