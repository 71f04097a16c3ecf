import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import process from 'node:process';
import {fingerprintDatabase} from '../../source/db/fingerprint.js';
import type {Database} from '../../source/db/orm.js';
import type {Job, JobMode, JobOptions, SessionView} from '../../source/engine/job.js';
import {type JobStepOutcome, runJobStep} from '../../source/engine/job-runner.js';
import type {EngineEvent, EvidencePort} from '../../source/engine/ports.js';
import {findLatestDryRun} from '../../source/evidence/dry-run-store.js';
import {EvidenceFolder} from '../../source/evidence/evidence-folder.js';
import {takeSnapshot} from '../../source/evidence/snapshot.js';
import type {PlatformSettings} from '../../source/core/platform-settings.js';
import {testPlatform} from './platform.js';

/** An evidence port that keeps the step records in memory. */
export function memoryEvidence(): EvidencePort & {steps: Array<Record<string, unknown>>} {
	const steps: Array<Record<string, unknown>> = [];
	return {
		dir: '/nonexistent/evidence',
		steps,
		async appendEvent() {},
		async flush() {},
		async writeStep(_number, _id, record) {
			steps.push(record);
			return 'step.json';
		},
		async writeSnapshot() {
			return 'snapshot.json';
		},
		async finalize() {
			return 'manifest.json';
		},
	};
}

export type HarnessOptions = RunJobOptions;

export type RunJobOptions = {
	readonly mode?: JobMode;
	/** The run's clock (fixed). */
	readonly now?: string | Date;
	/** A moving clock instead (each call a later instant, as a real one): wins over `now`. */
	readonly clock?: () => Date;
	readonly appRoot?: string;
	readonly env?: Record<string, string | undefined>;
	readonly profile?: 'testing' | 'demo' | 'production';
	readonly platform?: PlatformSettings;
	readonly options?: JobOptions;
	/** Evidence folders under this root (dry runs are looked up there); default: in memory, no dry-run lookup. */
	readonly evidenceRoot?: string;
	/** Accept drift (default) or stop on it (exit 7). */
	readonly acceptDrift?: boolean;
	readonly restart?: boolean;
	/** Throw, as a crash would, after this many committed batches. */
	readonly crashAfterBatch?: number;
	readonly session?: SessionView;
	readonly signal?: AbortSignal;
	readonly onEvent?: (event: EngineEvent) => void;
};

export type RunJobOutcome = JobStepOutcome & {evidence: ReturnType<typeof memoryEvidence>; events: EngineEvent[]};

/** Runs any job as a step, the way the CLI does (lifecycle, lock, evidence, drift), without the CLI. */
export async function runJob(database: Database, job: Job<any>, rawParams: Record<string, unknown>, options: RunJobOptions = {}): Promise<RunJobOutcome> {
	// Step records are always kept in memory too, so a test can read them whichever evidence it asked for.
	const memory = memoryEvidence();
	const events: EngineEvent[] = [];
	const now = options.now === undefined ? undefined : new Date(options.now);
	const mode = options.mode ?? 'execute';
	const fingerprint = await fingerprintDatabase(database);
	const outcome = await runJobStep({
		job,
		rawParams,
		mode,
		step: {number: 1, id: mode === 'dry-run' ? `${job.name}-dry-run` : job.name, title: job.name},
		database,
		fingerprint,
		profile: options.profile ?? 'testing',
		appRoot: options.appRoot ?? options.evidenceRoot ?? '/nonexistent',
		platform: options.platform ?? testPlatform(),
		env: options.env ?? {},
		options: {evidenceRoot: options.evidenceRoot, ...options.options},
		codeVersion: `test/${job.name}`,
		unfinished: options.restart || options.options?.restart ? 'restart' : 'resume',
		decideDrift: async () => (options.acceptDrift === false ? 'quit' : 'accept'),
		decision: {by: 'test', answer: 'run'},
		evidence: options.evidenceRoot === undefined ? memory : async runId => recordingSteps(await EvidenceFolder.create(options.evidenceRoot!, runId, {tool_version: 'test', database: fingerprint, command: job.name}), memory.steps),
		snapshot: async tables => takeSnapshot(database.sql, tables),
		dryRuns: async query => (options.evidenceRoot === undefined ? undefined : findLatestDryRun(options.evidenceRoot, query)),
		clock: {now: options.clock ?? (() => now ?? new Date('2026-11-25T19:00:00Z'))},
		self: {host: 'test-host', pid: process.pid, isAlive: pid => pid === process.pid},
		signal: options.signal ?? new AbortController().signal,
		session: options.session,
		afterBatch: options.crashAfterBatch === undefined ? undefined : crashAfter(options.crashAfterBatch),
		emit(event) {
			events.push(event);
			options.onEvent?.(event);
		},
	});
	return {...outcome, evidence: memory, events};
}

function recordingSteps(folder: EvidencePort, steps: Array<Record<string, unknown>>): EvidencePort {
	return {
		dir: folder.dir,
		appendEvent: async event => folder.appendEvent(event),
		flush: async () => folder.flush(),
		writeSnapshot: async (number, id, when, snapshot) => folder.writeSnapshot(number, id, when, snapshot),
		finalize: async extra => folder.finalize(extra),
		async writeStep(number, id, record) {
			steps.push(record);
			return folder.writeStep(number, id, record);
		},
	};
}

/** runJob with evidence folders under a temporary root (or the given one), so dry runs are found and compared. */
export async function runJobInFolder(database: Database, job: Job<any>, rawParams: Record<string, unknown>, options: RunJobOptions = {}): Promise<RunJobOutcome> {
	return runJob(database, job, rawParams, {evidenceRoot: mkdtempSync(join(tmpdir(), 'runbook-evidence-')), ...options});
}

/** The test hook a crash trial injects: throws right after the k-th batch of this process committed. */
export function crashAfter(batches: number) {
	return ({seq, committedThisProcess}: {seq: number; committedThisProcess: number}) => {
		if (committedThisProcess >= batches) {
			throw new Error(`crash injected after batch ${seq}`);
		}
	};
}
