// Runs a job through the real step runner with real ports (evidence folder, snapshots, dry-run lookup), as the CLI's
// job commands do, minus the argument parsing.
import {fingerprintDatabase} from '../source/db/fingerprint.js';
import type {Database} from '../source/db/orm.js';
import {type JobStepOutcome, runJobStep} from '../source/engine/job-runner.js';
import type {EngineEvent} from '../source/engine/ports.js';
import {findLatestDryRun} from '../source/evidence/dry-run-store.js';
import {EvidenceFolder} from '../source/evidence/evidence-folder.js';
import {takeSnapshot} from '../source/evidence/snapshot.js';
import type {Job, JobOptions} from '../source/engine/job.js';
import type {PlatformSettings} from '../source/core/platform-settings.js';

export type BenchJobOptions = {
	readonly mode: 'dry-run' | 'execute';
	readonly options: JobOptions;
	/** Throw, as a crash would, after this many committed batches (the resume phase). */
	readonly crashAfterBatch?: number;
	/** The platform's settings (the encrypted dataset's key). */
	readonly platform: PlatformSettings;
	readonly evidenceRoot: string;
	readonly emit: (event: EngineEvent) => void;
};

export async function runBenchJob(database: Database, job: Job<any>, rawParams: Record<string, unknown>, bench: BenchJobOptions): Promise<JobStepOutcome> {
	const fingerprint = await fingerprintDatabase(database);
	let folder: EvidenceFolder | undefined;
	const outcome = await runJobStep({
		job,
		rawParams,
		mode: bench.mode,
		step: {number: 1, id: bench.mode === 'dry-run' ? `${job.name}-dry-run` : job.name, title: job.name},
		database,
		fingerprint,
		profile: 'testing',
		platform: bench.platform,
		appRoot: bench.evidenceRoot,
		env: {},
		options: {evidenceRoot: bench.evidenceRoot, ...bench.options},
		codeVersion: 'bench',
		unfinished: 'resume',
		decideDrift: async () => 'accept',
		decision: {by: 'bench', answer: 'run'},
		async evidence(runId) {
			folder = await EvidenceFolder.create(bench.evidenceRoot, runId, {tool_version: 'bench', database: fingerprint, command: job.name});
			return folder;
		},
		snapshot: async tables => takeSnapshot(database.sql, tables),
		dryRuns: async query => findLatestDryRun(bench.evidenceRoot, query),
		clock: {now: () => new Date()},
		self: {host: 'bench', pid: process.pid, isAlive: pid => pid === process.pid},
		signal: new AbortController().signal,
		emit: bench.emit,
		afterBatch:
			bench.crashAfterBatch === undefined
				? undefined
				: ({seq, committedThisProcess}) => {
						if (committedThisProcess >= bench.crashAfterBatch!) {
							throw new Error(`crash injected after batch ${seq}`);
						}
					},
	});
	await folder?.finalize({status: outcome.status});
	return outcome;
}
