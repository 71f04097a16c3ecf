import {DriftDetected, OperatorAborted, RunbookError, UsageError} from '../core/errors.js';
import type {DriftChoice} from './runner-events.js';
import type {Job} from './job.js';
import {type JobStepRequest, runJobStep} from './job-runner.js';
import type {EngineEvent, EvidencePort} from './ports.js';
import {openRun, prepareRun, type Unfinished} from './run-lifecycle.js';
import type {Runbook, RunbookStep} from './runbook-schema.js';
import type {ApprovalRequest, Decision, Operator, RunEvent, RunResult, StepError} from './runner-events.js';
import {paramsFor, resultSteps, sessionState, sessionView, stoppedAt, summaries} from './session-state.js';

type Shared = Omit<JobStepRequest, 'job' | 'rawParams' | 'mode' | 'step' | 'decision' | 'evidence' | 'emit' | 'decideDrift' | 'session' | 'unfinished'>;

export type RunnerOptions = Shared & {
	readonly runbook: Runbook;
	readonly registry: Readonly<Record<string, Job<any>>>;
	readonly operator: Operator;
	readonly onEvent: (event: RunEvent) => void;
	/** Opens the run's evidence folder: a new one, or the existing one when resuming. */
	readonly openEvidence: (runId: string, existingDir: string | undefined) => Promise<EvidencePort>;
	/** Per-job param overrides from the command line (`run --batch/--chunk/--since`). */
	readonly overrides?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
	readonly from?: string | undefined;
	readonly until?: string | undefined;
	/** An unfinished session: continue it (`--resume`, `guide`), set it aside (`--restart`), or refuse (plain `run`). */
	readonly unfinished: Unfinished;
};

type Outcome = {status: RunResult['status']; exitCode: number};

const unrecorded = new Set(['step-progress', 'throttled', 'warning', 'drift-detected', 'batch-size-changed', 'lock-taken-over', 'run-resumed']);

/**
 * Walks a runbook: asks the operator port before each step, runs the step's job through `runJobStep`, emits one
 * event stream, and keeps the session's state in its runbook_runs row. The session holds the run lock from its start
 * to its end; its job runs are its children (parent_run_id). Steps are data: the runner knows no step by name.
 */
export async function runRunbook(options: RunnerOptions): Promise<RunResult> {
	const {runbook, database, clock} = options;
	const walk = selectSteps(runbook, options.from, options.until);
	const prepared = await prepareRun({
		database,
		job: `runbook:${runbook.id}`,
		mode: 'execute',
		params: {...options.overrides},
		semantic: {},
		semanticHash: `runbook:${runbook.id}`,
		codeVersion: options.codeVersion,
		unfinished: options.unfinished,
		resumable: true,
		lockHeld: false,
		breakLock: options.options.breakLock ?? false,
		self: options.self,
		clock,
		emit: event => options.onEvent(event as unknown as RunEvent),
		warn: message => options.onEvent({type: 'warning', step: null, message}),
		describe: run => stoppedAt(runbook, run.state),
	});
	const state = sessionState(runbook, prepared.resume?.state);
	const evidence = await options.openEvidence(prepared.runId, state.evidenceDir);
	state.evidenceDir = evidence.dir;
	const session = await openRun(prepared);
	const runId = session.runId;
	const emit = (event: RunEvent | EngineEvent) => {
		options.onEvent(event as RunEvent);
		const {type, step, ...data} = event as {type: string; step?: string | null};
		if (!unrecorded.has(type)) {
			void evidence.appendEvent({step: step ?? null, type, data});
		}
	};

	const save = async () => session.saveState(state);
	let outcome: Outcome = {status: 'succeeded', exitCode: 0};
	try {
		await save();
		emit({type: 'run-started', runId, resumed: session.resumed, evidenceDir: evidence.dir, steps: summaries(runbook, state, job => Boolean(options.registry[job]))});
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
	} catch (error) {
		outcome = {status: error instanceof OperatorAborted ? 'aborted' : 'failed', exitCode: error instanceof RunbookError ? error.exitCode : 1};
		throw error;
	} finally {
		await skipUnchosen();
		await session.end(outcome.status, {final: outcome.status === 'succeeded' || state.steps[rollbackStep()?.id ?? '']?.status === 'succeeded'}).catch(() => undefined);
	}

	emit({type: 'run-finished', status: outcome.status, exitCode: outcome.exitCode});
	await evidence.flush();
	await evidence.finalize({run_id: runId, status: outcome.status, exit_code: outcome.exitCode});
	return {runId, status: outcome.status, exitCode: outcome.exitCode, evidenceDir: evidence.dir, steps: resultSteps(runbook, state)};

	/** On-demand steps (rollback) that were not chosen end `skipped`, recorded as such (DESIGN.md §5, §10). */
	async function skipUnchosen() {
		for (const step of runbook.steps.filter(candidate => candidate.onDemand && state.steps[candidate.id]!.status === 'pending')) {
			await skip(step, 'not chosen', {by: 'auto', answer: 'skip'});
		}

		await save().catch(() => undefined);
	}

	async function skip(step: RunbookStep, reason: string, decision: Decision) {
		const number = runbook.steps.indexOf(step) + 1;
		Object.assign(state.steps[step.id]!, {status: 'skipped', reason});
		emit({type: 'step-skipped', step: step.id, reason});
		await evidence.writeStep(number, step.id, {step: step.id, number, title: step.title, job: step.job, status: 'skipped', reason, decision});
	}

	async function runStep(step: RunbookStep): Promise<'continue' | Outcome> {
		const number = runbook.steps.indexOf(step) + 1;
		const job = options.registry[step.job];
		const record = state.steps[step.id]!;
		if (!job) {
			await skip(step, `the ${step.job} job is not available in this version`, {by: 'auto', answer: 'skip'});
			return 'continue';
		}

		const skipReason = job.skipReason?.(options.options);
		if (skipReason) {
			await skip(step, skipReason, {by: 'auto', answer: 'skip'});
			return 'continue';
		}

		emit({type: 'step-started', step: step.id, number, title: step.title, phase: step.phase});
		const decision = await approve(step, number);
		emit({type: 'approval', step: step.id, answer: decision.answer, by: decision.by, ...(decision.reason ? {reason: decision.reason} : {})});
		if (decision.answer === 'skip') {
			await skip(step, decision.reason ?? 'skipped by the operator', decision);
			return 'continue';
		}

		if (decision.answer === 'abort') {
			return refuse(step, number, decision);
		}

		for (;;) {
			try {
				const result = await runJobStep({
					...options,
					job,
					rawParams: paramsFor(step, state, runId, options.overrides?.[step.job]),
					mode: step.phase === 'dry-run' || step.phase === 'prerequisite' ? 'dry-run' : step.phase === 'rollback' ? 'rollback' : 'execute',
					step: {number, id: step.id, title: step.title},
					unfinished: options.options.restart ? 'restart' : 'resume',
					decision,
					evidence,
					session: sessionView(runbook, runId, evidence.dir, state),
					decideDrift: async request => {
						const choice = await options.operator.onDrift(request);
						emit({type: 'approval', step: step.id, answer: choice === 'accept' ? 'run' : 'abort', by: 'drift', reason: `drift ${choice}`});
						return choice;
					},
					emit,
				});
				const jobRunId = step.phase === 'dry-run' || step.phase === 'prerequisite' ? null : result.runId;
				Object.assign(record, {status: 'succeeded', metrics: result.metrics, jobRunId, error: null, durationMs: result.durationMs, resolved: result.result.resolved ?? {}});
				emit({type: 'step-finished', step: step.id, metrics: result.metrics, durationMs: result.durationMs, jobRunId});
				return 'continue';
			} catch (error) {
				const failure: StepError = {code: error instanceof RunbookError ? error.exitCode : 1, message: error instanceof Error ? error.message : String(error), hint: error instanceof RunbookError ? error.hint ?? null : null};
				const runOfStep = error instanceof RunbookError ? error.run.runId ?? null : null;
				Object.assign(record, {status: error instanceof OperatorAborted ? 'aborted' : 'failed', error: failure, jobRunId: step.phase === 'dry-run' ? null : runOfStep ?? record.jobRunId, metrics: (error instanceof RunbookError ? error.run.metrics : undefined) ?? record.metrics});
				emit({type: 'step-failed', step: step.id, error: failure});
				if (error instanceof OperatorAborted || options.signal.aborted) {
					return {status: 'aborted', exitCode: 130};
				}

				const choice = error instanceof DriftDetected ? ((error as DriftDetected & {choice?: DriftChoice}).choice ?? 'quit') : await askAfterFailure(step, failure);
				if (choice === 'retry') {
					continue;
				}

				return choice === 'rollback' && step.phase !== 'rollback' ? rollBack(step.id, {status: 'failed', exitCode: failure.code}) : {status: 'failed', exitCode: failure.code};
			}
		}
	}

	async function askAfterFailure(step: RunbookStep, error: StepError) {
		const choice = await options.operator.onFailure({step: step.id, error, rollbackAvailable: executedRuns() > 0 && rollbackStep() !== undefined});
		emit({type: 'approval', step: step.id, answer: choice === 'retry' ? 'run' : 'abort', by: 'failure', reason: `after failure: ${choice}`});
		return choice;
	}

	async function refuse(step: RunbookStep, number: number, decision: Decision): Promise<Outcome> {
		const record = state.steps[step.id]!;
		if (decision.exitCode !== undefined) {
			Object.assign(record, {status: 'failed', error: {code: decision.exitCode, message: decision.reason ?? 'refused', hint: decision.hint ?? null}});
			emit({type: 'step-failed', step: step.id, error: record.error!});
			await evidence.writeStep(number, step.id, {step: step.id, number, title: step.title, job: step.job, status: 'failed', decision, error: record.error});
			return {status: 'failed', exitCode: decision.exitCode};
		}

		// Said as an event too: without it the TUI kept showing the step as running under "Run aborted".
		Object.assign(record, {status: 'aborted', error: {code: 130, message: 'Stopped by the operator before the step ran.', hint: 'Run it again to resume from this step.'}});
		emit({type: 'step-failed', step: step.id, error: record.error!});
		return {status: 'aborted', exitCode: 130};
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

	/** Job runs this session made that changed data. */
	function executedRuns(): number {
		return runbook.steps.filter(step => step.phase === 'execute' && state.steps[step.id]!.jobRunId).length;
	}

	function rollbackStep(): RunbookStep | undefined {
		return runbook.steps.find(candidate => candidate.phase === 'rollback' && options.registry[candidate.job]);
	}

	async function rollBack(failedStep: string, after: Outcome): Promise<Outcome> {
		const step = rollbackStep();
		if (!step) {
			return after;
		}

		emit({type: 'rollback-started', step: step.id, runs: runbook.steps.filter(candidate => candidate.phase === 'execute').map(candidate => state.steps[candidate.id]!.jobRunId).filter((id): id is string => id !== null)});
		const result = await runStep(step);
		emit({type: 'warning', step: failedStep, message: `rolled back after ${failedStep}`});
		return result === 'continue' ? after : result;
	}
}

/** The steps between --from and --until (UsageError for an unknown id), on-demand steps left out. */
export function selectSteps(runbook: Runbook, from: string | undefined, until: string | undefined): RunbookStep[] {
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
	return runbook.steps.filter((step, position) => !step.onDemand && position >= start && position <= end);
}
