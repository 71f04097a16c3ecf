import {appKeysFrom} from '../../source/core/laravel-crypt.js';
import type {PlatformSettings} from '../../source/core/platform-settings.js';
import {isoSeconds} from '../../source/core/timestamps.js';
import {platformTime} from '../../source/jobs/platform/local-time.js';
import {backfillMembership} from '../../source/jobs/backfill-membership.js';
import {migrateLegacyActivity} from '../../source/jobs/migrate-legacy-activity.js';
import {restoreBaseline, saveBaseline, temporaryFolder} from '../../bench/common.js';
import {type DatasetKind, type DatasetVariant, datasetAppKey, generateDataset} from '../../bench/dataset.js';
import {countEnvelopes, finalActivities, finalMembers, runMark, type RunStamps} from '../../bench/final-rows.js';
import {runBenchJob} from '../../bench/run-job.js';
import {singleStatementBackfill, singleStatementLegacy} from '../../bench/single-statement.js';
import {testEachDialect, type TestDatabase} from '../helpers/databases.js';

// The proof that the bench's ratio b/a is honest: the single-statement limit (a) ends with the same rows as the jobs
// (b) on copies of the same data (the bench's generated rows restored in between), both datasets, both variants.
// Compared: community_members and profile_activities whole (ids aside), metadata decrypted (IVs differ), with only the
// run's own id and start masked.

const seed = 7;

function platformOf(variant: DatasetVariant): PlatformSettings {
	return {timeZone: {zone: 'UTC', source: 'test'}, keys: appKeysFrom({APP_KEY: variant === 'encrypted' ? datasetAppKey(seed) : undefined}, 'AES-256-CBC', 'test'), encryptedAttributes: 'auto'};
}

function stampsOf(platform: PlatformSettings, runId: string, startedAt: Date): RunStamps {
	return {runId, now: platformTime(platform, startedAt), syncedAt: isoSeconds(startedAt)};
}

async function finalRows(database: TestDatabase, platform: PlatformSettings, runs: readonly RunStamps[]) {
	return {members: await finalMembers(database.sql, platform.keys, runs), activities: await finalActivities(database.sql, runs)};
}

async function runJobs(database: TestDatabase, platform: PlatformSettings): Promise<RunStamps[]> {
	const evidence = temporaryFolder('runbook-bench-test-');
	try {
		const stamps: RunStamps[] = [];
		for (const [job, params] of [
			[backfillMembership, {source: 'classrooms', batch: '97'}],
			[migrateLegacyActivity, {chunk: '89'}],
		] as const) {
			const outcome = await runBenchJob(database, job, params, {mode: 'execute', options: {}, evidenceRoot: evidence.path, emit: () => undefined, platform});
			const row = await database.sql.get<{started_at: unknown}>('SELECT started_at FROM runbook_runs WHERE run_id = ?', [outcome.runId]);
			const text = String(row?.started_at);
			stamps.push(stampsOf(platform, outcome.runId, new Date(/Z$/.test(text) ? text : `${text.replace(' ', 'T')}Z`)));
		}

		return stamps;
	} finally {
		evidence.remove();
	}
}

const cases: Array<{dataset: DatasetKind; rows: number; variant: DatasetVariant}> = [
	{dataset: 'demo', rows: 300, variant: 'encrypted'},
	{dataset: 'dense', rows: 2000, variant: 'encrypted'},
	{dataset: 'dense', rows: 2000, variant: 'plain'},
];

for (const {dataset, rows, variant} of cases) {
	testEachDialect(`(a) single statement ends with the same rows as the jobs: ${dataset} ${rows} enrollments, ${variant}`, async (t, database) => {
		await generateDataset(database, rows, seed, variant, dataset);
		await saveBaseline(database);
		const platform = platformOf(variant);
		const baseline = await finalRows(database, platform, []);
		const startedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
		const run = {runId: 'single-statement', startedAt};
		const backfill = await singleStatementBackfill(database, platform, run);
		const legacy = await singleStatementLegacy(database, platform, run);
		const single = await finalRows(database, platform, [stampsOf(platform, run.runId, startedAt)]);
		const singleForms = await countEnvelopes(database.sql);

		await restoreBaseline(database);
		t.deepEqual(await finalRows(database, platform, []), baseline, 'the baseline is restored before the jobs run');
		const jobRuns = await runJobs(database, platform);
		const job = await finalRows(database, platform, jobRuns);

		// Work was done: members created and existing ones changed, activity rows created.
		const written = job.members.filter(member => (member.metadata as {backfill?: {classrooms?: {run_id?: unknown}}}).backfill?.classrooms?.run_id === runMark);
		const created = written.filter(member => member.created_at === runMark);
		t.true(created.length > (dataset === 'dense' ? rows * 0.7 : 50), `members created: ${created.length}`);
		t.true(written.length - created.length > (dataset === 'dense' ? rows * 0.05 : 3), `members reactivated or updated: ${written.length - created.length}`);
		t.is(backfill.inserted, created.length);
		t.is(backfill.updated, written.length - created.length);
		t.true(legacy.inserted > rows * 0.1, `activities inserted: ${legacy.inserted}`);
		t.true(job.activities.length - baseline.activities.length >= legacy.inserted);
		// The encrypted variant writes envelopes only (also merged into members that had metadata), the plain one plain JSON.
		t.deepEqual([...new Set(written.map(member => member.metadata_form))], [variant === 'encrypted' ? 'envelope' : 'plain']);
		t.deepEqual(await countEnvelopes(database.sql), singleForms);

		t.is(single.members.length, job.members.length);
		t.deepEqual(single.members, job.members);
		t.is(single.activities.length, job.activities.length);
		t.deepEqual(single.activities, job.activities);
	});
}
