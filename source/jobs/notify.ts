import {z} from 'zod';
import {redactSecrets, registerSecret} from '../core/redact.js';
import type {Job, JobContext, JobOptions, JobResult} from '../engine/job.js';

// notify (DESIGN.md §5 step 9): posts the run's summary to a Slack-compatible incoming webhook. Telling people is
// useful, never essential: a failure to notify is a warning recorded in the evidence, not a failed step. The URL is a
// secret (it embeds the webhook's credential): it is registered for redaction and never put in results or evidence.

export const notifyTimeoutMs = 5000;
/** Waits before the 2nd and 3rd attempts. */
export const notifyBackoffMs = [500, 1000] as const;
export const noWebhookReason = 'no webhook configured';

const stepSchema = z.object({id: z.string(), status: z.string(), metrics: z.record(z.string(), z.number()).default({})});

const summarySchema = z.object({
	run_id: z.string(),
	steps: z.array(stepSchema).default([]),
	verification: z.object({passed: z.boolean(), differences: z.number().default(0)}).nullable().optional(),
	evidence_dir: z.string().nullable().optional(),
});

/** The summary is the session's (in a runbook); a caller outside one passes its own. */
export const notifyParameters = z.object({summary: summarySchema.optional()});

export type NotifyParams = z.output<typeof notifyParameters>;
export type NotifySummary = z.output<typeof summarySchema>;

/** The session as a summary: its steps, and the verify step's verdict. */
function summaryOf(context: JobContext<NotifyParams>): NotifySummary {
	if (context.params.summary) {
		return context.params.summary;
	}

	const session = context.session;
	const verify = session?.steps.find(step => step.job === 'verify' && step.status !== 'pending');
	return {
		run_id: session?.runId ?? context.runId,
		steps: (session?.steps ?? []).map(step => ({id: step.id, status: step.status, metrics: {...step.metrics}})),
		verification: verify ? {passed: verify.status === 'succeeded', differences: verify.metrics.differences ?? 0} : null,
		evidence_dir: session?.evidenceDir ?? null,
	};
}

/** Why the runner should skip step 9, or null when a webhook is configured. */
export function notifySkipReason(options: Pick<JobOptions, 'notifyWebhook'>): string | null {
	return options.notifyWebhook?.trim() ? null : noWebhookReason;
}

const statusIcon: Record<string, string> = {succeeded: '✅', failed: '❌', skipped: '⏭️', aborted: '🛑', pending: '…'};

/** The few metrics worth a line in chat: non-zero ones, at most four. */
function keyMetrics(metrics: Record<string, number>): string {
	const shown = Object.entries(metrics).filter(([, value]) => value !== 0).slice(0, 4);
	return shown.map(([key, value]) => `${key} ${value}`).join(', ');
}

/** `{text, blocks}` for a Slack-compatible incoming webhook. */
export function summaryPayload(summary: NotifySummary): {text: string; blocks: unknown[]} {
	const counts = new Map<string, number>();
	for (const step of summary.steps) {
		counts.set(step.status, (counts.get(step.status) ?? 0) + 1);
	}

	const tally = [...counts].map(([status, count]) => `${count} ${status}`).join(', ') || 'no steps';
	const verification = summary.verification
		? summary.verification.passed
			? 'verification passed'
			: `verification FAILED (${summary.verification.differences} difference${summary.verification.differences === 1 ? '' : 's'})`
		: 'verification not run';
	const evidence = summary.evidence_dir ? `evidence: ${summary.evidence_dir}` : 'no evidence folder';
	const text = `community-runbook stage 11, run ${summary.run_id}: ${tally}; ${verification}; ${evidence}`;
	const stepLines = summary.steps.map(step => {
		const metrics = keyMetrics(step.metrics);
		return `${statusIcon[step.status] ?? '•'} *${step.id}*: ${step.status}${metrics ? ` (${metrics})` : ''}`;
	});
	const blocks: unknown[] = [
		{type: 'header', text: {type: 'plain_text', text: 'Stage 11 runbook', emoji: true}},
		{type: 'section', text: {type: 'mrkdwn', text: `*Run* \`${summary.run_id}\`: ${tally}`}},
		...(stepLines.length > 0 ? [{type: 'section', text: {type: 'mrkdwn', text: stepLines.join('\n')}}] : []),
		{type: 'section', text: {type: 'mrkdwn', text: `*Verification*: ${verification}`}},
		{type: 'context', elements: [{type: 'mrkdwn', text: evidence}]},
	];
	return {text, blocks};
}

type Attempt = {readonly attempt: number; readonly status: number | null; readonly error: string | null};

async function postOnce(url: string, body: string, signal: AbortSignal): Promise<Attempt & {ok: boolean}> {
	try {
		const response = await fetch(url, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body,
			signal: AbortSignal.any([signal, AbortSignal.timeout(notifyTimeoutMs)]),
			redirect: 'error',
		});
		await response.arrayBuffer().catch(() => undefined);
		return {attempt: 0, ok: response.ok, status: response.status, error: response.ok ? null : `HTTP ${response.status}`};
	} catch (error) {
		const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${notifyTimeoutMs / 1000} s` : String((error as {cause?: {code?: string}}).cause?.code ?? (error as Error).message);
		return {attempt: 0, ok: false, status: null, error: redactSecrets(reason)};
	}
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
	await new Promise<void>(resolve => {
		const timer = setTimeout(resolve, ms);
		signal.addEventListener('abort', () => {
			clearTimeout(timer);
			resolve();
		}, {once: true});
	});
}

async function deliver(context: JobContext<NotifyParams>): Promise<JobResult> {
	const url = context.options.notifyWebhook?.trim();
	if (!url) {
		return {metrics: {notified: 0, attempts: 0}, details: {skipped: noWebhookReason}};
	}

	registerSecret(url);
	if (!/^https?:\/\/[^\s]+$/i.test(url) || !URL.canParse(url)) {
		context.warn('The notify webhook is not an http(s) URL; the summary was not sent. Fix --notify-webhook / RUNBOOK_NOTIFY_WEBHOOK.');
		return {metrics: {notified: 0, attempts: 0}, details: {delivered: false, attempts: [], reason: 'webhook is not an http(s) URL'}};
	}

	const body = JSON.stringify(summaryPayload(summaryOf(context)));
	const attempts: Attempt[] = [];
	for (let index = 0; index <= notifyBackoffMs.length; index++) {
		if (index > 0) {
			await sleep(notifyBackoffMs[index - 1]!, context.signal);
		}

		if (context.signal.aborted) {
			break;
		}

		const {ok, ...attempt} = await postOnce(url, body, context.signal);
		attempts.push({...attempt, attempt: index + 1});
		if (ok) {
			return {metrics: {notified: 1, attempts: attempts.length}, details: {delivered: true, attempts}};
		}
	}

	const last = attempts.at(-1);
	context.warn(`Could not post the summary to the notify webhook after ${attempts.length} attempt${attempts.length === 1 ? '' : 's'} (${last?.error ?? 'aborted'}); the runbook goes on.`);
	return {metrics: {notified: 0, attempts: attempts.length}, details: {delivered: false, attempts}};
}

export const notify: Job<NotifyParams> = {
	name: 'notify',
	skipReason: notifySkipReason,
	parameters: notifyParameters as z.ZodType<NotifyParams>,
	semanticParams: () => ({}),
	touches: [],
	async check() {
		return {ok: true, checks: []};
	},
	async plan(context): Promise<JobResult> {
		// A dry run posts nothing: it says whether it would.
		const reason = notifySkipReason(context.options);
		return {metrics: {notified: 0, attempts: 0}, details: reason ? {skipped: reason} : {would_post: true, payload: summaryPayload(summaryOf(context))}};
	},
	execute: deliver,
};
