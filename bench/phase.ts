// One bench phase in its own process, so its peak RSS is its own. Input: one JSON argument (PhaseSpec); output: the
// last stdout line `BENCH_RESULT <json>` (PhaseResult). Every phase but `generate` first restores the generated data.
import {readFileSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import type {EngineEvent} from '../source/engine/ports.js';
import {backfillMembership} from '../source/jobs/backfill-membership.js';
import type {Job} from '../source/engine/job.js';
import {migrateLegacyActivity} from '../source/jobs/migrate-legacy-activity.js';
import {createPlainReporter} from '../source/reporters/plain.js';
import {openBenchDatabase, type PhaseResult, restoreBaseline, resultPrefix, saveBaseline, temporaryFolder} from './common.js';
import {type DatasetKind, type DatasetVariant, generateDataset} from './dataset.js';
import {countEnvelopes} from './final-rows.js';
import {underInk} from './ink-run.js';
import {naiveOrmBackfill} from './orm-loop.js';
import {runBenchJob} from './run-job.js';
import {singleStatementBackfill, singleStatementLegacy} from './single-statement.js';

import {appKeysFrom} from '../source/core/laravel-encrypter.js';
import type {PlatformSettings} from '../source/core/platform-settings.js';

export type JobName = 'backfill' | 'legacy';

export type PhaseSpec =
	| {readonly phase: 'generate'; readonly name: string; readonly url: string; readonly rows: number; readonly seed: number; readonly variant?: DatasetVariant; readonly dataset?: DatasetKind}
	| {readonly phase: 'single'; readonly name: string; readonly url: string; readonly job: JobName; readonly appKey?: string}
	| {readonly phase: 'job'; readonly name: string; readonly url: string; readonly job: JobName; readonly mode: 'dry-run' | 'execute'; readonly batch: number; readonly adaptive: boolean; readonly ui: boolean; readonly appKey?: string}
	| {readonly phase: 'resume'; readonly name: string; readonly url: string; readonly job: JobName; readonly batch: number; readonly crashAfterBatch: number; readonly appKey?: string}
	| {readonly phase: 'orm'; readonly name: string; readonly url: string; readonly sample: number; readonly appKey?: string};

const jobs: Record<JobName, {job: Job<any>; params: (batch: number) => Record<string, unknown>}> = {
	backfill: {job: backfillMembership, params: batch => ({source: 'classrooms', batch: String(batch)})},
	legacy: {job: migrateLegacyActivity, params: batch => ({chunk: String(batch)})},
};

type Measured = {seconds: number; details: Record<string, unknown>};

/** The platform of the bench's dataset: UTC, and the demo's key when its columns are encrypted. */
function benchPlatform(appKey: string | undefined): PlatformSettings {
	return {timeZone: {zone: 'UTC', source: 'bench'}, keys: appKeysFrom({APP_KEY: appKey}, 'AES-256-CBC', 'the bench dataset'), encryptedAttributes: 'auto'};
}

async function measure(spec: PhaseSpec): Promise<Measured> {
	const database = await openBenchDatabase(spec.url);
	try {
		if (spec.phase === 'generate') {
			const summary = await generateDataset(database, spec.rows, spec.seed, spec.variant ?? 'plain', spec.dataset ?? 'demo');
			await saveBaseline(database);
			return {seconds: summary.seconds, details: {generator: summary.generator, variant: summary.variant, dataset: spec.dataset ?? 'demo', rows: summary.rows, member_metadata: await countEnvelopes(database.sql)}};
		}

		await restoreBaseline(database);
		if (spec.phase === 'single') {
			const platform = benchPlatform(spec.appKey);
			const result = spec.job === 'backfill' ? await singleStatementBackfill(database, platform) : await singleStatementLegacy(database, platform);
			return {seconds: result.seconds, details: {inserted: result.inserted, updated: result.updated, keys_hashed: result.keys, member_metadata: await countEnvelopes(database.sql)}};
		}

		if (spec.phase === 'orm') {
			const result = await naiveOrmBackfill(database, spec.sample, benchPlatform(spec.appKey));
			return {seconds: result.seconds, details: {sample_enrollments: result.enrollments, members_written: result.written}};
		}

		const evidence = temporaryFolder('runbook-bench-evidence-');
		try {
			const {job, params} = jobs[spec.job];
			const counts = {progress: 0, batchSizeChanged: 0, throttled: 0, sizes: [] as Array<[number, number]>, firstProgressAt: 0, lastProgressAt: 0};
			const reporter = createPlainReporter(() => undefined);
			const emit = (event: EngineEvent) => {
				reporter(event);
				if (event.type === 'step-progress') {
					counts.progress++;
					counts.lastProgressAt = performance.now();
					counts.firstProgressAt ||= counts.lastProgressAt;
				}

				if (event.type === 'throttled') counts.throttled++;
				if (event.type === 'batch-size-changed') {
					counts.batchSizeChanged++;
					counts.sizes.push([Number(event.from), Number(event.to)]);
				}
			};

			if (spec.phase === 'resume') {
				const started = performance.now();
				let crashed = '';
				try {
					await runBenchJob(database, job, params(spec.batch), {mode: 'execute', options: {}, crashAfterBatch: spec.crashAfterBatch, evidenceRoot: evidence.path, emit, platform: benchPlatform(spec.appKey)});
				} catch (error) {
					crashed = (error as Error).message;
				}

				const crashedAt = (performance.now() - started) / 1000;
				const outcome = await runBenchJob(database, job, params(spec.batch), {mode: 'execute', options: {}, evidenceRoot: evidence.path, emit, platform: benchPlatform(spec.appKey)});
				return {
					seconds: (performance.now() - started) / 1000,
					details: {crash: crashed, crashed_after_s: round(crashedAt), resumed: outcome.resumed, metrics: outcome.metrics, batches_after_resume: outcome.result?.batches?.length ?? 0},
				};
			}

			const started = performance.now();
			const stats: {bytes: number; writes: number; workMs?: number; closeMs?: number} = {bytes: 0, writes: 0};
			const run = async (sink: (event: EngineEvent) => void) =>
				runBenchJob(database, job, params(spec.batch), {
					mode: spec.mode,
					options: {adaptive: spec.adaptive},
					evidenceRoot: evidence.path,
					platform: benchPlatform(spec.appKey),
					emit(event) {
						emit(event);
						sink(event);
					},
				});
			const outcome = spec.ui ? await underInk({id: job.name, title: job.name}, async sink => run(sink), stats) : await run(() => undefined);
			const ended = performance.now();
			const seconds = (ended - started) / 1000;
			// Where the time went: before the first batch (checks, snapshot, work set), the batches, after the last one.
			const split = counts.firstProgressAt > 0 ? {before_first_batch_s: round((counts.firstProgressAt - started) / 1000), batches_s: round((counts.lastProgressAt - counts.firstProgressAt) / 1000), after_last_batch_s: round((ended - counts.lastProgressAt) / 1000)} : {};
			const batches = outcome.result?.batches ?? [];
			const evidenceLines = outcome.evidenceDir ? countEvidenceEvents(outcome.evidenceDir) : {};
			const storedSizes = await database.sql.all<{batch_size: unknown}>('SELECT DISTINCT batch_size FROM runbook_batches ORDER BY batch_size');
			return {
				seconds,
				details: {
					metrics: outcome.metrics,
					...split,
					batches: batches.length,
					progress_events: counts.progress,
					batch_size_changed_events: counts.batchSizeChanged,
					batch_size_first_changes: counts.sizes.slice(0, 6),
					batch_size_final: batches.at(-1)?.batchSize ?? null,
					batch_sizes_in_runbook_batches: storedSizes.length,
					evidence_events: evidenceLines,
					// What the run left in community_members.metadata: envelopes vs plain JSON (the encrypted variant writes envelopes).
					member_metadata: spec.mode === 'execute' ? await countEnvelopes(database.sql) : undefined,
					...(spec.ui ? {offscreen_bytes: stats.bytes, offscreen_writes: stats.writes, work_ms: stats.workMs, close_ms: stats.closeMs} : {}),
				},
			};
		} finally {
			evidence.remove();
		}
	} finally {
		await database.close();
	}
}

function countEvidenceEvents(dir: string): Record<string, number> {
	const counts: Record<string, number> = {};
	const file = readdirSync(dir).includes('events.jsonl') ? join(dir, 'events.jsonl') : undefined;
	if (!file) return counts;
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		if (line.trim() === '') continue;
		const type = String((JSON.parse(line) as {type?: unknown}).type);
		counts[type] = (counts[type] ?? 0) + 1;
	}

	return counts;
}

function round(value: number): number {
	return Math.round(value * 1000) / 1000;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as PhaseSpec;
try {
	const measured = await measure(spec);
	const result: PhaseResult = {phase: spec.name, seconds: round(measured.seconds), rows: 0, maxRssMiB: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10, details: measured.details};
	process.stdout.write(`${resultPrefix}${JSON.stringify(result)}\n`);
	process.exit(0);
} catch (error) {
	process.stderr.write(`bench phase ${spec.name} failed: ${(error as Error).stack ?? String(error)}\n`);
	process.exit(1);
}
