import {randomUUID} from 'node:crypto';
import {canonicalJson} from '../core/canonical-json.js';
import {UsageError} from '../core/errors.js';
import type {Clock, ProcessIdentity} from '../core/identity.js';
import {formatTimestamp, parseTimestamp} from '../core/timestamps.js';
import {lastBatchSeq} from '../db/bookkeeping/batches.js';
import {acquireRunLock, type RunLock} from '../db/bookkeeping/run-lock.js';
import {abortRun, findUnfinishedRun, finishRun, resumeRun, type RunMode, type RunRow, saveRunState, startRun} from '../db/bookkeeping/runs.js';
import type {Database} from '../db/orm.js';
import type {Checkpoint} from './job.js';
import type {EngineEvent} from './ports.js';

// One lifecycle for every run that changes data — a job's execution, a rollback, a runbook session (DESIGN.md §4–§6):
// find an unfinished run of the same kind (resume it, set it aside with --restart, or refuse), take the run lock
// unless the caller's session holds it, start or resume the runbook_runs row, keep the lock's heartbeat, and end the
// run. Dry runs have no lifecycle: they write nothing.

export type Unfinished = 'resume' | 'restart' | 'refuse';

export type RunRequest = {
	readonly database: Database;
	readonly job: string;
	readonly mode: RunMode;
	/** What the run was asked to do (redacted when stored) and the hash of its semantic part. */
	readonly params: Record<string, unknown>;
	readonly semantic: Record<string, unknown>;
	readonly semanticHash: string;
	readonly codeVersion: string;
	/** What to do with an unfinished run of the same job: continue it, set it aside, or stop with exit 2. */
	readonly unfinished: Unfinished;
	/** Only batch jobs and sessions continue; one-shot jobs always start afresh. */
	readonly resumable: boolean;
	readonly parentRunId?: string | null;
	/** The session already holds the lock for this database (DESIGN.md §6: from step 1 to its end). */
	readonly lockHeld: boolean;
	readonly breakLock: boolean;
	readonly self: ProcessIdentity;
	readonly clock: Clock;
	readonly emit: (event: EngineEvent) => void;
	readonly warn: (message: string) => void;
	/** Says where an unfinished run stopped, for the refusal (e.g. the session's step). */
	readonly describe?: (run: RunRow) => string;
};

export type RunHandle = {
	readonly runId: string;
	readonly resumed: boolean;
	/** The run's first start (a resume keeps it). */
	readonly startedAt: Date;
	readonly checkpoint: Checkpoint | null;
	state(): Record<string, unknown>;
	saveState(next: Record<string, unknown>): Promise<void>;
	/** Ends the run (status, final metrics) and releases the lock it took. */
	end(status: 'succeeded' | 'failed' | 'aborted', options: {readonly final: boolean; readonly metrics?: Record<string, number>}): Promise<void>;
};

const heartbeatMs = 10_000;

/** Which run this will be — a new one, or the unfinished one it continues — decided read-only, before anything is written. */
export type PreparedRun = {readonly request: RunRequest; readonly runId: string; readonly resume: RunRow | undefined; readonly setAside: string | undefined};

export async function prepareRun(request: RunRequest): Promise<PreparedRun> {
	const found = request.resumable ? await findUnfinishedRun(request.database, request.job, request.mode) : undefined;
	if (!found || request.unfinished === 'restart') {
		return {request, runId: randomUUID(), resume: undefined, setAside: found?.runId};
	}

	const resume = found.read();
	if (request.unfinished === 'refuse') {
		throw new UsageError(`An unfinished ${request.job} run exists: ${resume.runId}${request.describe ? ` (${request.describe(resume)})` : ''}.`, {
			hint: 'Continue it with --resume, or start over with --restart (the unfinished run is marked aborted).',
		});
	}

	assertResumable(resume, request);
	return {request, runId: resume.runId, resume, setAside: undefined};
}

/** Takes the lock (unless held) and starts or resumes the runbook_runs row of a prepared run. */
export async function openRun(prepared: PreparedRun): Promise<RunHandle> {
	const {request, runId, resume, setAside} = prepared;
	const {database, clock} = request;
	const lock = request.lockHeld ? undefined : await acquireRunLock(database, runId, request.self, clock, {breakLock: request.breakLock});
	if (lock?.takeover) {
		const {previous, reason} = lock.takeover;
		request.warn(`Took over the lock of run ${previous.runId} (${previous.host}, pid ${previous.pid}): ${reason}.`);
		request.emit({type: 'lock-taken-over', step: null, reason, previous});
	}

	let checkpoint: Checkpoint | null = null;
	let state: Record<string, unknown> = {};
	// One instant, in whole seconds as runbook_runs stores it: the stamps a resumed run writes (parsed back from that
	// row) must equal the ones the first process wrote before it died (DESIGN.md §6).
	const startedAt = resume ? parseTimestamp(resume.startedAt) : parseTimestamp(formatTimestamp(clock.now()));
	try {
		if (resume) {
			await resumeRun(database, runId, request.self, clock.now());
			checkpoint = {cursor: resume.cursor, metrics: resume.metrics, batchesDone: await lastBatchSeq(database.sql, runId), state: resume.state};
			state = {...resume.state};
			request.emit({type: 'run-resumed', step: null, runId, cursor: resume.cursor, batchesDone: checkpoint.batchesDone});
		} else {
			if (setAside) {
				await abortRun(database, setAside, clock.now());
				request.warn(`Started a new run; the unfinished run ${setAside} is marked aborted and kept for inspection (--restart).`);
			}

			await startRun(database, {runId, job: request.job, params: request.params, paramsHash: request.semanticHash, codeVersion: request.codeVersion, mode: request.mode, parentRunId: request.parentRunId ?? null, host: request.self.host, pid: request.self.pid, startedAt});
		}
	} catch (error) {
		await lock?.release();
		throw error;
	}

	const heartbeat = lock ? keepAlive(lock) : undefined;
	return {
		runId,
		resumed: resume !== undefined,
		startedAt,
		checkpoint,
		state: () => state,
		async saveState(next) {
			state = {...state, ...next};
			await saveRunState(database, runId, state);
		},
		async end(status, options) {
			if (heartbeat) clearInterval(heartbeat);
			try {
				await finishRun(database, runId, {status, final: options.final, at: clock.now(), metrics: options.metrics});
			} finally {
				await lock?.release().catch(() => undefined);
			}
		},
	};
}

function keepAlive(lock: RunLock): NodeJS.Timeout {
	const timer = setInterval(() => {
		void lock.heartbeat().catch(() => undefined);
	}, heartbeatMs);
	timer.unref?.();
	return timer;
}

function assertResumable(run: RunRow, request: RunRequest): void {
	if (run.codeVersion !== request.codeVersion) {
		throw new UsageError(`The unfinished ${request.job} run ${run.runId} was started by code version ${run.codeVersion}, this is ${request.codeVersion}.`, {
			hint: 'Resume it with the same version, or pass --restart to start a new run.',
		});
	}

	if (run.paramsHash !== request.semanticHash) {
		const differences = Object.keys(request.semantic)
			.filter(key => canonicalJson(run.params[key] ?? null) !== canonicalJson(request.semantic[key] ?? null))
			.map(key => `${key}: ${JSON.stringify(run.params[key] ?? null)} then, ${JSON.stringify(request.semantic[key] ?? null)} now`);
		throw new UsageError(`The unfinished ${request.job} run ${run.runId} used other parameters (${differences.join('; ') || 'parameters differ'}).`, {
			hint: 'Resume with the same parameters, or pass --restart to start a new run.',
		});
	}
}
