import process from 'node:process';
import type {Job, JobOptions} from '../../source/jobs/job.js';
import {runJobStep, type JobStepOutcome} from '../../source/engine/job-runner.js';
import type {EngineEvent, EvidencePort} from '../../source/engine/ports.js';
import {takeSnapshot} from '../../source/evidence/snapshot.js';
import type {Database} from '../../source/db/orm.js';

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

export type RunJobOptions = {
	readonly mode?: 'dry-run' | 'execute';
	readonly now?: string;
	readonly appRoot?: string;
	readonly env?: Record<string, string | undefined>;
	readonly profile?: 'testing' | 'demo' | 'production';
	readonly options?: JobOptions;
};

export type RunJobOutcome = JobStepOutcome & {evidence: ReturnType<typeof memoryEvidence>; events: EngineEvent[]};

/** Runs any job as a step, the way the CLI does, with in-memory evidence and a fixed clock. */
export async function runJob(database: Database, job: Job<any>, rawParams: Record<string, unknown>, options: RunJobOptions = {}): Promise<RunJobOutcome> {
	const evidence = memoryEvidence();
	const events: EngineEvent[] = [];
	const now = new Date(options.now ?? '2026-11-25T19:00:00Z');
	const mode = options.mode ?? 'execute';
	const outcome = await runJobStep({
		job,
		rawParams,
		mode,
		step: {number: 1, id: mode === 'dry-run' ? `${job.name}-dry-run` : job.name, title: 'test'},
		database,
		fingerprint: {driver: database.sql.dialect, server_version: 'test', database: 'test'},
		profile: options.profile ?? 'testing',
		appRoot: options.appRoot ?? '/nonexistent',
		env: options.env ?? {},
		options: options.options ?? {},
		codeVersion: `test/${job.name}`,
		acceptDrift: false,
		decision: {by: 'test', answer: 'run'},
		evidence,
		snapshot: async tables => takeSnapshot(database.sql, tables),
		dryRuns: async () => undefined,
		clock: {now: () => now},
		self: {host: 'test-host', pid: process.pid, isAlive: () => false},
		signal: new AbortController().signal,
		emit(event) {
			events.push(event);
		},
	});
	return {...outcome, evidence, events};
}
