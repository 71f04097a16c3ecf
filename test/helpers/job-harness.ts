import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fingerprintDatabase} from '../../source/db/fingerprint.js';
import {type JobStepOutcome, runJobStep} from '../../source/engine/job-runner.js';
import type {EngineEvent} from '../../source/engine/ports.js';
import {findLatestDryRun} from '../../source/evidence/dry-run-store.js';
import {EvidenceFolder} from '../../source/evidence/evidence-folder.js';
import {takeSnapshot} from '../../source/evidence/snapshot.js';
import type {Job, JobOptions} from '../../source/jobs/job.js';
import type {TestDatabase} from './databases.js';

export type HarnessOptions = {
	readonly mode?: 'dry-run' | 'execute';
	readonly options?: JobOptions;
	readonly evidenceRoot?: string;
	readonly appRoot?: string;
	readonly env?: Record<string, string | undefined>;
	readonly acceptDrift?: boolean;
	readonly now?: Date;
	readonly signal?: AbortSignal;
	readonly onEvent?: (event: EngineEvent) => void;
};

/** Runs a job through the real step runner (lock, runbook_runs, evidence) without the CLI. */
export async function runJob(database: TestDatabase, job: Job<any>, rawParams: Record<string, unknown>, harness: HarnessOptions = {}): Promise<JobStepOutcome & {events: EngineEvent[]}> {
	const evidenceRoot = harness.evidenceRoot ?? mkdtempSync(join(tmpdir(), 'runbook-evidence-'));
	const fingerprint = await fingerprintDatabase(database);
	const events: EngineEvent[] = [];
	const outcome = await runJobStep({
		job,
		rawParams,
		mode: harness.mode ?? 'execute',
		step: {number: 1, id: job.name, title: job.name},
		database,
		fingerprint,
		profile: 'testing',
		appRoot: harness.appRoot ?? evidenceRoot,
		env: harness.env ?? {},
		options: {evidenceRoot, ...harness.options},
		codeVersion: 'test',
		acceptDrift: harness.acceptDrift ?? true,
		decision: {by: 'test', answer: 'run'},
		evidence: async runId => EvidenceFolder.create(evidenceRoot, runId, {tool_version: 'test', database: fingerprint, command: job.name}),
		snapshot: async tables => takeSnapshot(database.sql, tables),
		dryRuns: async query => findLatestDryRun(evidenceRoot, query),
		clock: {now: () => harness.now ?? new Date()},
		self: {host: 'test-host', pid: process.pid, isAlive: () => true},
		signal: harness.signal ?? new AbortController().signal,
		emit(event) {
			events.push(event);
			harness.onEvent?.(event);
		},
	});
	return {...outcome, events};
}
