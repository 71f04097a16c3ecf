import {randomUUID} from 'node:crypto';
import {canonicalJson, sha256} from '../core/canonical-json.js';
import {asRunbookError, OperatorAborted, PrerequisiteFailed, RunbookError, UsageError} from '../core/errors.js';
import type {Clock, ProcessIdentity} from '../core/identity.js';
import type {PlatformSettings} from '../core/platform-settings.js';
import {redactValue} from '../core/redact.js';
import {isoSeconds} from '../core/timestamps.js';
import {asDatabaseUnreachable} from '../db/connection-errors.js';
import type {Profile} from '../db/database-url.js';
import type {DatabaseFingerprint} from '../db/fingerprint.js';
import {checkpointRun} from '../db/bookkeeping/runs.js';
import {appendUndo} from '../db/bookkeeping/undo-journal.js';
import type {Database} from '../db/orm.js';
import {type BatchObserver, runBatches} from './batch-runner.js';
import {compareMetrics, type Drift, type DriftDecider, driftError} from './drift.js';
import type {Job, JobContext, JobMode, JobOptions, JobResult, SessionView} from './job.js';
import type {DryRunLookup, EngineEvent, EvidencePort, PlannedRun, TableSnapshot, ThrottleProbe} from './ports.js';
import {openRun, prepareRun, type RunHandle, type Unfinished} from './run-lifecycle.js';
import {type StepRef, stepRecord} from './step-record.js';

export type {StepRef} from './step-record.js';

export type JobStepRequest = {
	readonly job: Job<any>;
	readonly rawParams: Record<string, unknown>;
	readonly mode: JobMode;
	readonly step: StepRef;
	readonly database: Database;
	readonly fingerprint: DatabaseFingerprint;
	readonly profile: Profile;
	readonly appRoot: string;
	readonly platform: PlatformSettings;
	readonly env: Readonly<Record<string, string | undefined>>;
	readonly options: JobOptions;
	readonly codeVersion: string;
	/** An unfinished run of the same job: continue it (the default), or set it aside (--restart). */
	readonly unfinished: Extract<Unfinished, 'resume' | 'restart'>;
	readonly decideDrift: DriftDecider;
	/** How the step was approved, for the evidence. */
	readonly decision: {readonly by: string; readonly answer: string};
	/** The step's evidence folder, or a factory called once the job's checks pass (so bad input writes nothing). */
	readonly evidence: EvidencePort | ((runId: string) => Promise<EvidencePort>);
	readonly snapshot: (tables: readonly string[]) => Promise<TableSnapshot[]>;
	readonly dryRuns: DryRunLookup;
	readonly throttle?: ThrottleProbe | undefined;
	readonly clock: Clock;
	readonly self: ProcessIdentity;
	readonly signal: AbortSignal;
	readonly emit: (event: EngineEvent) => void;
	/** The runbook session this step runs in: it holds the run lock, and is the parent of the step's run. */
	readonly session?: SessionView | undefined;
	/** Injected by tests only: told about every committed batch. */
	readonly afterBatch?: BatchObserver | undefined;
};

export type JobStepOutcome = {
	readonly runId: string;
	readonly status: 'succeeded';
	readonly params: Record<string, unknown>;
	readonly metrics: Record<string, number>;
	readonly drift: Drift | null;
	readonly warnings: string[];
	readonly resumed: boolean;
	readonly result: JobResult;
	readonly durationMs: number;
	readonly evidenceDir: string;
};

const beforeSnapshotKey = 'runner.snapshot_before';

/**
 * Runs one job in one mode as a step: validates params, runs the job's checks, starts or resumes its run through the
 * lifecycle (lock, runbook_runs row), snapshots the touched tables, plans or executes, checks drift against the dry
 * run before it (before the first write and at the end), and writes the step's evidence. Failures are thrown as
 * RunbookErrors carrying the run's data.
 */
export async function runJobStep(request: JobStepRequest): Promise<JobStepOutcome> {
	const {job, database, clock, step, mode} = request;
	const params = parseJobParams(job, request.rawParams);
	const semantic = job.semanticParams(params);
	const semanticHash = sha256(canonicalJson({job: job.name, ...semantic}));
	const started = clock.now();
	const warnings: string[] = [];
	const sqlLog: Array<{statement: string; parameters: readonly unknown[]}> = [];
	let evidence: EvidencePort | undefined = typeof request.evidence === 'function' ? undefined : request.evidence;
	const emit = (event: EngineEvent) => {
		request.emit(event);
		void evidence?.appendEvent({step: step.id, type: event.type, data: {...event, type: undefined, step: undefined}});
	};

	let run: RunHandle | undefined;
	let runId = '';
	let planned: PlannedRun | undefined;
	let workSetDrift: Drift | null = null;
	const context: JobContext<unknown> = {
		database,
		params,
		mode,
		get runId() {
			return runId;
		},
		profile: request.profile,
		appRoot: request.appRoot,
		platform: request.platform,
		get startedAt() {
			return run?.startedAt ?? started;
		},
		signal: request.signal,
		env: request.env,
		options: request.options,
		get checkpoint() {
			return run?.checkpoint ?? null;
		},
		session: request.session ?? null,
		report: progress => emit({type: 'step-progress', step: step.id, progress}),
		warn(message) {
			warnings.push(message);
			emit({type: 'warning', step: step.id, message});
		},
		recordSql(statement, parameters = []) {
			sqlLog.push({statement, parameters});
		},
		async saveState(next) {
			await run?.saveState(next);
		},
		async workSetFixed(figures) {
			const drift = planned ? compareMetrics(planned.metrics, figures, Object.keys(figures)) : null;
			if (drift && planned) {
				emit({type: 'drift-detected', step: step.id, drift, phase: 'before-first-write'});
				const choice = await request.decideDrift({step: step.id, drift, phase: 'before-first-write'});
				if (choice !== 'accept') {
					throw driftError(drift, 'before-first-write', planned, choice).conclude().withRun({drift});
				}

				workSetDrift = drift;
			}
		},
		runBatches: async (sources, options) =>
			runBatches({
				sql: database.sql,
				reader: mode === 'dry-run' ? undefined : await database.reader?.(),
				runId,
				sources,
				readOnly: mode === 'dry-run',
				cursor: run?.checkpoint?.cursor ?? {},
				metrics: run?.checkpoint ? run.checkpoint.metrics : options.initialMetrics,
				batchesDone: run?.checkpoint?.batchesDone ?? 0,
				batchSize: options.batchSize,
				adaptive: request.options.adaptive ? {targetMs: 500} : undefined,
				signal: request.signal,
				clock,
				report: progress => emit({type: 'step-progress', step: step.id, progress}),
				throttle: request.throttle,
				onThrottle: (reason, waitMs) => emit({type: 'throttled', step: step.id, reason, waitMs}),
				onBatchSize: (from, to) => emit({type: 'batch-size-changed', step: step.id, from, to}),
				afterBatch: request.afterBatch,
			}),
		async commit(work) {
			if (mode === 'dry-run') {
				throw new Error(`${job.name} tried to write during a dry run.`);
			}

			return database.sql.transaction(async tx => {
				const {value, metrics, undo} = await work(tx);
				await appendUndo(tx, runId, 1, undo);
				await checkpointRun(tx, runId, {metrics, at: clock.now()});
				return value;
			});
		},
	};

	// Checks are read-only and come first: bad input or a failed prerequisite writes nothing, not even evidence.
	const checks = await job.check(context);
	if (!checks.ok) {
		const failed = checks.checks.filter(check => !check.ok);
		// In a runbook session the folder exists already: the failed checks are evidence. A single command writes none.
		await evidence?.writeStep(step.number, step.id, {step: step.id, number: step.number, title: step.title, job: job.name, mode, status: 'failed', decision: request.decision, checks: checks.checks});
		throw new PrerequisiteFailed(`${job.name} prerequisites failed: ${failed.map(check => `${check.name}: ${check.detail.replace(/\.+$/, '')}`).join('; ')}.`, {
			hint: 'Fix the listed problems and run the step again.',
			details: checks,
		});
	}

	const prepared =
		mode === 'dry-run'
			? undefined
			: await prepareRun({
					database,
					job: job.name,
					mode: mode === 'rollback' ? 'rollback' : 'execute',
					params: {...semantic, ...params},
					semantic,
					semanticHash,
					codeVersion: request.codeVersion,
					unfinished: request.unfinished,
					resumable: job.resumable === true,
					parentRunId: request.session?.runId ?? (await job.parentRunOf?.(context)) ?? null,
					lockHeld: request.session !== undefined,
					breakLock: request.options.breakLock ?? false,
					self: request.self,
					clock,
					emit,
					warn: context.warn,
				});
	runId = prepared?.runId ?? randomUUID();
	evidence ??= await (request.evidence as (runId: string) => Promise<EvidencePort>)(runId);
	const folder = evidence;
	await folder.appendEvent({step: step.id, type: 'step-checks', data: checks});
	run = prepared ? await openRun(prepared) : undefined;
	planned = mode === 'execute' ? await request.dryRuns({job: job.name, semanticHash, database: request.fingerprint}) : undefined;

	let result: JobResult | undefined;
	let failure: RunbookError | undefined;
	let drift: Drift | null = null;
	let tables: readonly string[] = [];
	try {
		tables = typeof job.touches === 'function' ? await job.touches(context) : job.touches;
		if (run) {
			await folder.writeSnapshot(step.number, step.id, 'before', await snapshotBefore(run, request, tables));
		}

		result = mode === 'dry-run' ? await job.plan(context) : await job.execute(context);
		drift = planned ? compareMetrics(planned.metrics, result.metrics) : null;
		if (drift && planned) {
			emit({type: 'drift-detected', step: step.id, drift, phase: 'after'});
			const choice = await request.decideDrift({step: step.id, drift, phase: 'after'});
			if (choice !== 'accept') {
				failure = driftError(drift, 'after', planned, choice).conclude();
			}
		}
	} catch (error) {
		failure = asRunbookError(asDatabaseUnreachable(error, database.target));
		// A job may attach what it found before failing (verify's differences, rollback's conflicts).
		result = (error as {result?: JobResult}).result ?? result;
	}

	const finished = clock.now();
	const metrics = result?.metrics ?? failure?.run.metrics ?? {};
	const status = failure ? (failure instanceof OperatorAborted ? 'aborted' : 'failed') : 'succeeded';
	if (run) {
		try {
			await run.end(status, {final: !failure || failure.concluded || job.resumable !== true, metrics: result ? metrics : undefined});
			await folder.writeSnapshot(step.number, step.id, 'after', await request.snapshot(tables));
		} catch {
			// The database may be the thing that failed; the checkpoint of the last batch stands.
		}
	}

	await folder.writeStep(
		step.number,
		step.id,
		stepRecord({request, params: redactValue(params), semanticHash, runId, resumed: run?.resumed ?? false, status, metrics, drift: drift ?? workSetDrift, planned, result, warnings, sqlLog, started, finished, failure}),
	);
	await folder.flush();
	if (failure) {
		throw failure.withRun({runId, metrics, drift: drift ?? workSetDrift, evidenceDir: folder.dir});
	}

	return {runId, status: 'succeeded', params, metrics, drift, warnings: [...warnings, ...(result!.warnings ?? [])], resumed: run?.resumed ?? false, result: result!, durationMs: finished.getTime() - started.getTime(), evidenceDir: folder.dir};
}

/**
 * "Before" means before the run's first batch: a resume keeps the snapshot its first attempt saved with the
 * checkpoint instead of taking one of the half-written tables (which also cost a full read of them).
 */
async function snapshotBefore(run: RunHandle, request: JobStepRequest, tables: readonly string[]): Promise<TableSnapshot[]> {
	const saved = run.state()[beforeSnapshotKey] as TableSnapshot[] | undefined;
	if (saved) {
		return saved;
	}

	const before = await request.snapshot(tables);
	await run.saveState({[beforeSnapshotKey]: before});
	return before;
}

/** Validates a job's raw params; a failure is one usage line naming the flag. */
export function parseJobParams(job: Job<any>, raw: Record<string, unknown>): Record<string, unknown> {
	const parsed = job.parameters.safeParse(raw);
	if (parsed.success) {
		return parsed.data as Record<string, unknown>;
	}

	const issue = parsed.error.issues[0];
	const flag = typeof issue?.path[0] === 'string' ? `--${issue.path[0].replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)}` : job.name;
	const message = issue?.message ?? 'invalid parameters';
	throw new UsageError(`${message.startsWith('--') ? '' : `${flag}: `}${message}.`.replace(/\.\.$/, '.'), {hint: `See \`community-runbook ${job.name} --help\`.`});
}
