import process from 'node:process';
import test from 'ava';
import type {Dialect} from '../../source/db/sql.js';
import {dialects} from '../helpers/databases.js';
import {type KillJob, killJobs, killTrial, type Outcome, referenceOutcome, type TrialResult} from './kill-trials.js';

// kill -9 of the real CLI (`cliEntry <job> … --batch=50`: the bin as `npm start` runs it, stdin closed) at seeded random
// moments — ≥ 10 trials per job and dialect — then the same command again: the final rows equal an uninterrupted
// run's on the same data (computed once), no duplicates, the same metrics. `npm run soak` runs many more.

const trials = Number(process.env.RUNBOOK_KILL_TRIALS ?? 10);
const references = new Map<string, Promise<Outcome & {batches: number}>>();
const results = new Map<string, TrialResult[]>();

function reference(dialect: Dialect, job: KillJob) {
	const key = `${dialect}:${job.name}`;
	if (!references.has(key)) {
		references.set(key, referenceOutcome(dialect, job));
	}

	return references.get(key)!;
}

for (const dialect of dialects) {
	for (const job of killJobs) {
		const key = `${dialect}:${job.name}`;
		test.serial(`uninterrupted reference run [${job.name}, ${dialect}]`, async t => {
			t.timeout(10 * 60_000);
			const outcome = await reference(dialect, job);
			t.true(outcome.batches >= 10, `the dataset gives ${outcome.batches} batches: enough moments to kill at`);
			t.is(outcome.count, outcome.distinct);
		});

		for (let index = 0; index < trials; index++) {
			const seed = (dialect === 'sqlite' ? 1000 : 2000) + (job.name === 'backfill-membership' ? 0 : 500) + index;
			test.serial(`kill -9 trial ${index + 1}/${trials} (seed ${seed}), resume: identical to the uninterrupted run [${job.name}, ${dialect}]`, async t => {
				t.timeout(10 * 60_000);
				const result = await killTrial(dialect, job, await reference(dialect, job), seed);
				results.set(key, [...(results.get(key) ?? []), result]);
				t.log(`killed after ${result.killedAfterProgress} progress events (${result.killed ? 'SIGKILL' : 'finished first'}), ${result.committedBeforeKill} batches committed before the kill`);
				t.true(result.identical, result.detail);
			});
		}

		test.serial(`kill -9 trials wrote something before most kills [${job.name}, ${dialect}]`, t => {
			const list = results.get(key) ?? [];
			t.is(list.length, trials);
			t.true(list.filter(result => result.killed && result.committedBeforeKill > 0).length >= Math.min(3, trials), `${list.filter(result => result.killed && result.committedBeforeKill > 0).length} of ${list.length} trials were killed after committing batches`);
		});
	}
}
