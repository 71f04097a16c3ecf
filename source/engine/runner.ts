import {randomUUID} from 'node:crypto';
import type {Job} from '../engine/job.js';
import {OperatorAborted, RunbookError, UsageError} from '../core/errors.js';
import {type JobStepRequest, runJobStep} from './job-runner.js';
import type {EngineEvent, EvidencePort} from './ports.js';
import type {Runbook, RunbookStep} from './runbook-schema.js';
import type {ApprovalRequest, Decision, Operator, RunEvent, RunResult, StepError, StepStatus, StepSummary} from './runner-events.js';
import {findUnfinishedRun, insertRun, updateRun} from './run-record.js';

type Shared = Omit<JobStepRequest, 'job' | 'rawParams' | 'mode' | 'step' | 'decision' | 'evidence' | 'emit' | 'acceptDrift'>;

export type RunnerOptions = Shared & {
	readonly runbook: Runbook;
	readonly registry: Readonly<Record<string, Job<any>>>;
	readonly operator: Operator;
	readonly onEvent: (event: RunEvent) => void;
	/** Opens the run's evidence folder: a new one, or the existing one when resuming. */
	readonly openEvidence: (runId: string, existingDir: string | undefined) => Promise<EvidencePort>;
	/** Per-job param overrides from the command line (`run --batch/--chunk/--since`). */
	readonly overrides?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
	readonly from?: string;
	readonly until?: string;
	readonly resume?: boolean;
};

type StepState = {
	status: Exclude<StepStatus, 'running' | 'unavailable'>;
	jobRunId: string | null;
	metrics: Record<string, number>;
	error: StepError | null;
	durationMs: number | null;
	reason?: string;
};

type RunState = {evidenceDir?: string; steps: Record<string, StepState>};

const emptyStep = (): StepState => ({status: 'pending', jobRunId: null, metrics: {}, error: null, durationMs: null});

/**
 * Walks a runbook: asks the operator port before each step, runs the step's job through `runJobStep`, emits one
 * event stream, and keeps the run's state in runbook_runs so `run --resume` / the TUI continue where it stopped.
 */
export async function runRunbook(options: RunnerOptions): Promise<RunResult> {
	const {runbook, database, clock} = options;
	const recordName = `runbook:${runbook.id}`;
	const previous = options.resume ? await findUnfinishedRun(database.sql, recordName) : undefined;
	const runId = previous?.runId ?? randomUUID();
	const state: RunState = {steps: {}, ...(previous?.state as Partial<RunState> | undefined)};
	for (const step of runbook.steps) {
		state.steps[step.id] ??= emptyStep();
		if (state.steps[step.id]!.status === 'failed' || state.steps[step.id]!.status === 'aborted') {
			state.steps[step.id] = emptyStep();
		}
	}

	const evidence = await options.openEvidence(runId, state.evidenceDir);
	state.evidenceDir = evidence.dir;
	if (previous) {
		await updateRun(database.sql, runId, {status: 'running', heartbeatAt: clock.now(), finishedAt: null, host: options.self.host, pid: options.self.pid, state});
	} else {
		await insertRun(database.sql, {runId, job: recordName, params: {...options.overrides}, paramsHash: recordName, codeVersion: options.codeVersion, mode: 'execute', host: options.self.host, pid: options.self.pid, startedAt: clock.now(), state});
	}

	const emit = (event: RunEvent | EngineEvent) => {
		options.onEvent(event as RunEvent);
		const {type, step, ...data} = event as {type: string; step?: string | null};
		if (!['step-progress', 'throttled', 'warning', 'drift-detected', 'batch-size-changed', 'lock-taken-over', 'run-resumed'].includes(type)) {
			void evidence.appendEvent({step: step ?? null, type, data});
		}
	};

	const save = async () => updateRun(database.sql, runId, {state, heartbeatAt: clock.now()});
	const summaries = (): StepSummary[] =>
		runbook.steps.map((step, index) => ({
			id: step.id,
			number: index + 1,
			title: step.title,
			phase: step.phase,
			confirmation: typeof step.confirmation === 'string' ? step.confirmation : 'type-to-confirm',
			...(typeof step.confirmation === 'object' ? {word: step.confirmation.word} : {}),
			status: options.registry[step.job] ? state.steps[step.id]!.status : 'unavailable',
			metrics: state.steps[step.id]!.metrics,
			keyMetrics: step.keyMetrics,
		}));

	emit({type: 'run-started', runId, resumed: Boolean(previous), evidenceDir: evidence.dir, steps: summaries()});

	const walk = selectSteps(runbook, options.from, options.until);
	let outcome: {status: RunResult['status']; exitCode: number} = {status: 'succeeded', exitCode: 0};
	for (const step of walk) {
		if (state.steps[step.id]!.status === 'succeeded' || state.steps[step.id]!.status === 'skipped') {
			continue;
		}

		const result = await runStep(step);
		await save();
		if (result !== 'continue') {
			outcome = result;
			break;
		}
	}

	await updateRun(database.sql, runId, {status: outcome.status === 'succeeded' ? 'succeeded' : outcome.status === 'aborted' ? 'aborted' : 'failed', finishedAt: outcome.status === 'succeeded' ? clock.now() : null, state});
	emit({type: 'run-finished', status: outcome.status, exitCode: outcome.exitCode});
	await evidence.flush();
	await evidence.finalize({run_id: runId, status: outcome.status, exit_code: outcome.exitCode});
	return {
		runId,
		status: outcome.status,
		exitCode: outcome.exitCode,
		evidenceDir: evidence.dir,
		steps: runbook.steps.map(step => {
			const {status, metrics, jobRunId, error, durationMs, reason} = state.steps[step.id]!;
			return {id: step.id, status, metrics, run_id: jobRunId, error, duration_ms: durationMs, ...(reason ? {reason} : {})};
		}),
	};

	async function runStep(step: RunbookStep): Promise<'continue' | {status: RunResult['status']; exitCode: number}> {
		const number = runbook.steps.indexOf(step) + 1;
		const job = options.registry[step.job];
		const record = state.steps[step.id]!;
		if (!job) {
			Object.assign(record, {status: 'skipped', reason: `the ${step.job} job is not available in this version`});
			emit({type: 'step-skipped', step: step.id, reason: record.reason!});
			return 'continue';
		}

		const skipReason = job.skipReason?.(options.options);
		if (skipReason) {
			Object.assign(record, {status: 'skipped', reason: skipReason});
			emit({type: 'step-skipped', step: step.id, reason: skipReason});
			await evidence.writeStep(number, step.id, {step: step.id, number, title: step.title, job: step.job, status: 'skipped', reason: skipReason, decision: {by: 'auto', answer: 'skip'}});
			return 'continue';
		}

		emit({type: 'step-started', step: step.id, number, title: step.title, phase: step.phase});
		const decision = await approve(step, number);
		emit({type: 'approval', step: step.id, answer: decision.answer, by: decision.by, ...(decision.reason ? {reason: decision.reason} : {})});
		if (decision.answer === 'skip') {
			Object.assign(record, {status: 'skipped', reason: decision.reason ?? 'skipped by the operator'});
			emit({type: 'step-skipped', step: step.id, reason: record.reason!});
			await evidence.writeStep(number, step.id, {step: step.id, number, title: step.title, job: step.job, status: 'skipped', reason: record.reason, decision});
			return 'continue';
		}

		if (decision.answer === 'abort') {
			if (decision.exitCode !== undefined) {
				record.status = 'failed';
				record.error = {code: decision.exitCode, message: decision.reason ?? 'refused', hint: decision.hint ?? null};
				emit({type: 'step-failed', step: step.id, error: record.error});
				await evidence.writeStep(number, step.id, {step: step.id, number, title: step.title, job: step.job, status: 'failed', decision, error: record.error});
				return {status: 'failed', exitCode: decision.exitCode};
			}

			// Said as an event too: without it the TUI kept showing the step as running under "Run aborted".
			record.status = 'aborted';
			record.error = {code: 130, message: 'Stopped by the operator before the step ran.', hint: 'Run it again to resume from this step.'};
			emit({type: 'step-failed', step: step.id, error: record.error});
			return {status: 'aborted', exitCode: 130};
		}

		for (;;) {
			try {
				const result = await runJobStep({
					...options,
					job,
					rawParams: paramsFor(step),
					mode: step.phase === 'dry-run' || step.phase === 'prerequisite' ? 'dry-run' : 'execute',
					step: {number, id: step.id, title: step.title},
					decision,
					evidence,
					acceptDrift: true,
					emit,
				});
				Object.assign(record, {status: 'succeeded', metrics: result.metrics, jobRunId: step.phase === 'dry-run' ? null : result.runId, error: null, durationMs: result.durationMs});
				emit({type: 'step-finished', step: step.id, metrics: result.metrics, durationMs: result.durationMs, jobRunId: record.jobRunId});
				if (result.drift) {
					emit({type: 'drift-detected', step: step.id, drift: result.drift});
					const choice = await options.operator.onDrift({step: step.id, drift: result.drift});
					emit({type: 'approval', step: step.id, answer: choice === 'accept' ? 'run' : 'abort', by: 'drift', reason: `drift ${choice}`});
					if (choice === 'rollback') {
						return rollBack(step.id, {status: 'failed', exitCode: 7});
					}

					if (choice === 'quit') {
						record.error = {code: 7, message: 'The execution differs from the dry run.', hint: 'Re-run with --accept-drift to accept it, or roll back.'};
						return {status: 'failed', exitCode: 7};
					}
				}

				return 'continue';
			} catch (error) {
				const code = error instanceof RunbookError ? error.exitCode : 1;
				const failure: StepError = {code, message: error instanceof Error ? error.message : String(error), hint: error instanceof RunbookError ? error.hint ?? null : null};
				Object.assign(record, {status: error instanceof OperatorAborted ? 'aborted' : 'failed', error: failure, jobRunId: (error as {runId?: string}).runId ?? record.jobRunId});
				emit({type: 'step-failed', step: step.id, error: failure});
				if (error instanceof OperatorAborted || options.signal.aborted) {
					return {status: 'aborted', exitCode: 130};
				}

				const choice = await options.operator.onFailure({step: step.id, error: failure, rollbackAvailable: executedRuns().length > 0 && Boolean(options.registry.rollback)});
				emit({type: 'approval', step: step.id, answer: choice === 'retry' ? 'run' : 'abort', by: 'failure', reason: `after failure: ${choice}`});
				if (choice === 'retry') {
					continue;
				}

				if (choice === 'rollback') {
					return rollBack(step.id, {status: 'failed', exitCode: code});
				}

				return {status: 'failed', exitCode: code};
			}
		}
	}

	async function approve(step: RunbookStep, number: number): Promise<Decision> {
		const policy = typeof step.confirmation === 'string' ? step.confirmation : 'type-to-confirm';
		if (policy === 'none') {
			return {answer: 'run', by: 'auto'};
		}

		const dryRun = runbook.steps.find(candidate => candidate.phase === 'dry-run' && candidate.job === step.job);
		const request: ApprovalRequest = {
			step: step.id,
			number,
			title: step.title,
			phase: step.phase,
			policy,
			...(typeof step.confirmation === 'object' ? {word: step.confirmation.word} : {}),
			...(dryRun && state.steps[dryRun.id]?.status === 'succeeded' ? {planned: state.steps[dryRun.id]!.metrics} : {}),
			description: step.description,
		};
		emit({type: 'awaiting-approval', step: step.id, request});
		return options.operator.decide(request);
	}

	function paramsFor(step: RunbookStep): Record<string, unknown> {
		const params: Record<string, unknown> = {...step.params, ...options.overrides?.[step.job]};
		if (step.job === 'verify') {
			params.runs = {backfill: state.steps['backfill-membership']?.jobRunId ?? undefined, migrate: state.steps['migrate-legacy-activity']?.jobRunId ?? undefined};
		}

		if (step.job === 'notify') {
			const verify = state.steps.verify;
			params.summary = {
				run_id: runId,
				steps: runbook.steps.map(candidate => ({id: candidate.id, status: state.steps[candidate.id]!.status, metrics: state.steps[candidate.id]!.metrics})),
				verification: verify ? {passed: verify.status === 'succeeded', differences: verify.metrics.differences ?? 0} : null,
				evidence_dir: evidence.dir,
			};
		}

		if (step.job === 'rollback') {
			params.runs = executedRuns();
		}

		return params;
	}

	/** Job runs this session executed, newest first: what a rollback undoes. */
	function executedRuns(): string[] {
		return runbook.steps
			.filter(step => step.phase === 'execute' && state.steps[step.id]!.jobRunId)
			.map(step => state.steps[step.id]!.jobRunId!)
			.reverse();
	}

	async function rollBack(failedStep: string, after: {status: RunResult['status']; exitCode: number}) {
		const step = runbook.steps.find(candidate => candidate.phase === 'rollback');
		if (!step || !options.registry[step.job]) {
			return after;
		}

		emit({type: 'rollback-started', step: step.id, runs: executedRuns()});
		const result = await runStep(step);
		emit({type: 'warning', step: failedStep, message: `rolled back after ${failedStep}`});
		return result === 'continue' ? after : result;
	}
}

function selectSteps(runbook: Runbook, from: string | undefined, until: string | undefined): RunbookStep[] {
	const walk = runbook.steps.filter(step => !step.onDemand);
	const index = (id: string | undefined, fallback: number) => {
		if (id === undefined) {
			return fallback;
		}

		const found = runbook.steps.findIndex(step => step.id === id);
		if (found < 0) {
			throw new UsageError(`Unknown step "${id}".`, {hint: `Steps: ${runbook.steps.map(step => step.id).join(', ')}.`});
		}

		return found;
	};

	const start = index(from, 0);
	const end = index(until, runbook.steps.length - 1);
	return walk.filter(step => {
		const position = runbook.steps.indexOf(step);
		return position >= start && position <= end;
	});
}
