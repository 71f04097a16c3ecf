import {randomUUID} from 'node:crypto';
import type {Database} from '../db/orm.js';
import type {Profile} from '../db/database-url.js';
import type {Checkpoint, Job, JobContext, JobMode, JobOptions, JobResult} from '../engine/job.js';
import {runBatches} from './batch-runner.js';
import {canonicalJson, sha256} from '../core/canonical-json.js';
import {DriftDetected, OperatorAborted, PrerequisiteFailed, RunbookError, UsageError} from '../core/errors.js';
import type {Clock, DatabaseFingerprint, DryRunLookup, EngineEvent, EvidencePort, ProcessIdentity, TableSnapshot, ThrottleProbe} from './ports.js';
import type {Progress} from './progress.js';
import {acquireRunLock} from './run-lock.js';
import {findUnfinishedRun, insertRun, type RunRow, updateRun} from './run-record.js';
import {redactValue} from '../core/redact.js';
import {isoSeconds, parseTimestamp} from '../core/timestamps.js';

export type JobStepRequest = {
	readonly job: Job<any>;
	readonly rawParams: Record<string, unknown>;
	readonly mode: Exclude<JobMode, 'rollback'>;
	readonly step: {readonly number: number; readonly id: string; readonly title: string};
	readonly database: Database;
	readonly fingerprint: DatabaseFingerprint;
	readonly profile: Profile;
	readonly appRoot: string;
	readonly env: Readonly<Record<string, string | undefined>>;
	readonly options: JobOptions;
	readonly codeVersion: string;
	readonly acceptDrift: boolean;
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
};

export type JobStepOutcome = {
	readonly runId: string;
	readonly status: 'succeeded' | 'failed' | 'aborted';
	readonly params: Record<string, unknown>;
	readonly metrics: Record<string, number>;
	readonly drift: Record<string, [number, number]> | null;
	readonly warnings: string[];
	readonly resumed: boolean;
	readonly result: JobResult | null;
	readonly durationMs: number;
};

/** An error that carries what the JSON document still needs (run id, metrics, drift, evidence dir). */
export type StepFailure = RunbookError & {runId?: string; metrics?: Record<string, number>; drift?: unknown; evidenceDir?: string};

/**
 * Runs one job in one mode as a step: validates params, takes the lock, starts or resumes its runbook_runs row,
 * snapshots the touched tables, executes, checks drift against the latest dry run, and writes the step's evidence.
 */
export async function runJobStep(request: JobStepRequest): Promise<JobStepOutcome> {
	const {job, database, clock, step} = request;
	const params = parseJobParams(job, request.rawParams);
	const semantic = job.semanticParams(params);
	const semanticHash = sha256(canonicalJson({job: job.name, ...semantic}));
	const warnings: string[] = [];
	const sqlLog: Array<{statement: string; parameters: readonly unknown[]}> = [];
	const started = clock.now();
	let evidence: EvidencePort | undefined = typeof request.evidence === 'function' ? undefined : request.evidence;
	const emit = (event: EngineEvent) => {
		request.emit(event);
		void evidence?.appendEvent({step: step.id, type: event.type, data: {...event, type: undefined, step: undefined}});
	};

	let runId: string = randomUUID();
	let checkpoint: Checkpoint | null = null;
	let resumed = false;
	let lock: Awaited<ReturnType<typeof acquireRunLock>> | undefined;
	let heartbeat: NodeJS.Timeout | undefined;
	let runStartedAt = started;

	let state: Record<string, unknown> = {};
	const beforeSnapshotKey = 'runner.snapshot_before';
	const context: JobContext<unknown> = {
		database,
		params,
		get runId() {
			return runId;
		},
		profile: request.profile,
		appRoot: request.appRoot,
		get startedAt() {
			return runStartedAt;
		},
		signal: request.signal,
		env: request.env,
		options: request.options,
		get checkpoint() {
			return checkpoint;
		},
		report: (progress: Progress) => emit({type: 'step-progress', step: step.id, progress}),
		warn(message) {
			warnings.push(message);
			emit({type: 'warning', step: step.id, message});
		},
		recordSql(statement, parameters = []) {
			sqlLog.push({statement, parameters});
		},
		async saveState(next) {
			state = {...state, ...next};
			if (request.mode === 'execute') {
				await updateRun(database.sql, runId, {state});
			}
		},
		runBatches: async (sources, options) =>
			runBatches({
				sql: database.sql,
				runId,
				step: step.id,
				sources,
				cursor: checkpoint?.cursor ?? {},
				metrics: checkpoint ? checkpoint.metrics : options.initialMetrics,
				batchesDone: checkpoint?.batchesDone ?? 0,
				batchSize: options.batchSize,
				adaptive: request.options.adaptive ? {targetMs: 500} : undefined,
				signal: request.signal,
				clock,
				report: progress => emit({type: 'step-progress', step: step.id, progress}),
				throttle: request.throttle,
				onThrottle: (reason, waitMs) => emit({type: 'throttled', step: step.id, reason, waitMs}),
				onBatchSize: (from, to) => emit({type: 'batch-size-changed', step: step.id, from, to}),
				crashAfterBatch: request.options.crashAfterBatch,
			}),
	};

	// Checks are read-only and come first: bad input or a failed prerequisite writes nothing, not even evidence.
	const checks = await job.check(context);
	if (!checks.ok) {
		const failed = checks.checks.filter(check => !check.ok);
		throw new PrerequisiteFailed(`${job.name} prerequisites failed: ${failed.map(check => `${check.name}: ${check.detail}`).join('; ')}.`, {
			hint: 'Fix the listed problems and run the step again.',
			details: checks,
		});
	}

	const unfinished = request.mode === 'execute' && job.resumable ? await findUnfinishedRun(database.sql, job.name) : undefined;
	if (unfinished && !request.options.restart) {
		assertResumable(unfinished, semantic, semanticHash, request.codeVersion, job.name);
		runId = unfinished.runId;
	}

	evidence ??= await (request.evidence as (runId: string) => Promise<EvidencePort>)(runId);
	const folder = evidence;
	await folder.appendEvent({step: step.id, type: 'step-checks', data: checks});

	if (request.mode === 'execute') {
		lock = await acquireRunLock(database, runId, request.self, clock, {breakLock: request.options.breakLock});
		if (lock.takeover) {
			warnings.push(`Took over the lock of run ${lock.takeover.previous.runId} (${lock.takeover.previous.host}, pid ${lock.takeover.previous.pid}): ${lock.takeover.reason}.`);
			emit({type: 'lock-taken-over', step: step.id, reason: lock.takeover.reason, previous: lock.takeover.previous});
		}

		try {
			if (unfinished && !request.options.restart) {
				resumed = true;
				runStartedAt = parseTimestamp(unfinished.startedAt);
				const batchesDone = await countBatches(database, runId);
				checkpoint = {cursor: unfinished.cursor, metrics: unfinished.metrics, batchesDone, state: unfinished.state};
				await updateRun(database.sql, runId, {status: 'running', host: request.self.host, pid: request.self.pid, heartbeatAt: clock.now(), finishedAt: null});
				emit({type: 'run-resumed', step: step.id, runId, cursor: unfinished.cursor, batchesDone});
			} else {
				if (unfinished) {
					await updateRun(database.sql, unfinished.runId, {status: 'aborted', finishedAt: clock.now()});
					warnings.push(`Started a new run; the unfinished run ${unfinished.runId} stays as it was (--restart).`);
				}

				await insertRun(database.sql, {runId, job: job.name, params: {...semantic, ...params}, paramsHash: semanticHash, codeVersion: request.codeVersion, mode: 'execute', host: request.self.host, pid: request.self.pid, startedAt: started});
			}
		} catch (error) {
			await lock.release();
			throw error;
		}

		heartbeat = setInterval(() => {
			void lock?.heartbeat().catch(() => undefined);
		}, 10_000);
		heartbeat.unref?.();
	}

	state = {...checkpoint?.state};
	if (request.mode === 'execute') {
		// "Before" means before the run's first batch: a resume keeps the snapshot its first attempt saved with the
		// checkpoint instead of taking one of the half-written tables (which also cost a full read of them).
		const saved = state[beforeSnapshotKey] as TableSnapshot[] | undefined;
		const before = saved ?? (await request.snapshot(job.touches));
		if (!saved) {
			state = {...state, [beforeSnapshotKey]: before};
			await updateRun(database.sql, runId, {state});
		}

		await folder.writeSnapshot(step.number, step.id, 'before', before);
	}

	let result: JobResult | null = null;
	let failure: unknown;
	try {
		result = request.mode === 'dry-run' ? await job.plan(context) : await job.execute(context);
	} catch (error) {
		failure = error;
		// A job may attach what it found before failing (verify's differences); keep it for the evidence.
		result = (error as {result?: JobResult} | undefined)?.result ?? null;
	}

	const finished = clock.now();
	const metrics = result?.metrics ?? {};
	let drift: Record<string, [number, number]> | null = null;
	if (!failure && request.mode === 'execute') {
		const planned = await request.dryRuns({job: job.name, semanticHash, database: request.fingerprint});
		drift = planned ? compareMetrics(planned.metrics, metrics) : null;
	}

	const status: JobStepOutcome['status'] = failure ? (failure instanceof OperatorAborted ? 'aborted' : 'failed') : 'succeeded';
	if (request.mode === 'execute') {
		if (heartbeat) clearInterval(heartbeat);
		try {
			await updateRun(database.sql, runId, {status, finishedAt: status === 'succeeded' ? finished : null, heartbeatAt: finished, ...(result ? {metrics} : {})});
			await folder.writeSnapshot(step.number, step.id, 'after', await request.snapshot(job.touches));
		} catch {
			// The database may be the thing that failed; the checkpoint of the last batch stands.
		}

		await lock?.release().catch(() => undefined);
	}

	const error = failure instanceof RunbookError ? {code: failure.exitCode, message: failure.message, hint: failure.hint ?? null} : failure ? {code: 1, message: String((failure as Error).message ?? failure), hint: null} : null;
	await folder.writeStep(step.number, step.id, {
		step: step.id,
		number: step.number,
		title: step.title,
		job: job.name,
		mode: request.mode,
		status,
		decision: {...request.decision, at: isoSeconds(started)},
		run_id: runId,
		resumed,
		params: redactValue(params),
		semantic_hash: semanticHash,
		database: request.fingerprint,
		metrics,
		drift,
		warnings: [...warnings, ...(result?.warnings ?? [])],
		samples: result?.samples ?? [],
		sql: sqlLog,
		batches: result?.batches ?? [],
		details: result?.details ?? {},
		started_at: started.toISOString(),
		finished_at: finished.toISOString(),
		duration_ms: finished.getTime() - started.getTime(),
		error,
	});
	await folder.flush();

	if (failure) {
		throw Object.assign(failure as object, {runId, metrics, evidenceDir: folder.dir});
	}

	if (drift && !request.acceptDrift) {
		emit({type: 'drift-detected', step: step.id, drift});
		throw Object.assign(
			new DriftDetected(`The execution differs from the dry run: ${Object.entries(drift).map(([key, [planned, actual]]) => `${key} planned ${planned}, actual ${actual}`).join('; ')}.`, {
				hint: 'Review the differences; re-run with --accept-drift to accept them, or roll back with `community-runbook rollback`.',
			}),
			{runId, metrics, drift, evidenceDir: folder.dir},
		);
	}

	return {runId, status, params, metrics, drift, warnings: [...warnings, ...(result?.warnings ?? [])], resumed, result, durationMs: finished.getTime() - started.getTime()};
}

function assertResumable(run: RunRow, semantic: Record<string, unknown>, semanticHash: string, codeVersion: string, job: string): void {
	if (run.codeVersion !== codeVersion) {
		throw new UsageError(`The unfinished ${job} run ${run.runId} was started by code version ${run.codeVersion}, this is ${codeVersion}.`, {
			hint: 'Resume it with the same version, or pass --restart to start a new run.',
		});
	}

	if (run.paramsHash !== semanticHash) {
		const differences = Object.keys({...semantic})
			.filter(key => canonicalJson(run.params[key] ?? null) !== canonicalJson(semantic[key] ?? null))
			.map(key => `${key}: ${JSON.stringify(run.params[key] ?? null)} then, ${JSON.stringify(semantic[key] ?? null)} now`);
		throw new UsageError(`The unfinished ${job} run ${run.runId} used other parameters (${differences.join('; ') || 'parameters differ'}).`, {
			hint: 'Resume with the same parameters, or pass --restart to start a new run.',
		});
	}
}

async function countBatches(database: Database, runId: string): Promise<number> {
	const row = await database.sql.get<{n: unknown}>('SELECT MAX(seq) AS n FROM runbook_batches WHERE run_id = ?', [runId]);
	return Number(row?.n ?? 0);
}

/** Metrics that differ between the dry run and the execution: {metric: [planned, actual]}. */
export function compareMetrics(planned: Record<string, number>, actual: Record<string, number>): Record<string, [number, number]> | null {
	const drift: Record<string, [number, number]> = {};
	for (const key of new Set([...Object.keys(planned), ...Object.keys(actual)])) {
		if ((planned[key] ?? 0) !== (actual[key] ?? 0)) {
			drift[key] = [planned[key] ?? 0, actual[key] ?? 0];
		}
	}

	return Object.keys(drift).length > 0 ? drift : null;
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
