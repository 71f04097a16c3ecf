import {join} from 'node:path';
import type {Sql} from '../../source/db/sql.js';
import type {Dialect} from '../../source/db/sql.js';
import {createScratchDatabase as createTestDatabase, type ScratchDatabase as TestDatabase} from './scratch-database.js';
import {buildDataset, type DatasetSize, killTrialSize} from './dataset.js';
import {cli, type CliResult, maskRunFields, normaliseRow, prng, sleep, temporaryFolder} from './helpers.js';

// kill -9 of the real CLI at seeded random moments, then the same command again: the final rows must equal an
// uninterrupted run's on the same data (computed once), with no duplicates and the same metrics (DESIGN.md §6).

export type KillJob = {
	readonly name: 'backfill-membership' | 'migrate-legacy-activity';
	readonly args: readonly string[];
	/** The table the job writes and its natural key (ids differ between runs: MariaDB skips ids of rolled-back inserts). */
	readonly table: string;
	readonly naturalKey: string;
};

export const killJobs: readonly KillJob[] = [
	{name: 'backfill-membership', args: ['backfill-membership', '--source=classrooms', '--batch=50'], table: 'community_members', naturalKey: 'community_id, user_id'},
	{name: 'migrate-legacy-activity', args: ['migrate-legacy-activity', '--chunk=50'], table: 'profile_activities', naturalKey: 'idempotency_key'},
];

export type Outcome = {readonly metrics: Record<string, unknown>; readonly rows: string; readonly count: number; readonly distinct: number};

export type TrialResult = {
	readonly seed: number;
	readonly killedAfterProgress: number;
	/** Batches the killed process had committed (> 0: it wrote something before it died). */
	readonly committedBeforeKill: number;
	readonly killed: boolean;
	readonly resumeCode: number | null;
	readonly identical: boolean;
	readonly detail: string;
};

function commonArgs(database: TestDatabase, folder: string): string[] {
	return [`--database-url=${database.url}`, `--app-root=${folder}`, `--evidence-dir=${join(folder, 'evidence')}`];
}

/** The job's table without ids, run ids, sync times and run-start stamps: equal for equal work, whenever it ran. */
export async function outcomeOf(sql: Sql, job: KillJob, metrics: Record<string, unknown>): Promise<Outcome> {
	const starts = (await sql.all<{started_at: string}>(`SELECT started_at FROM runbook_runs WHERE job = ? AND mode = 'execute'`, [job.name])).map(row => String(row.started_at).slice(0, 19));
	const rows = (await sql.all<Record<string, unknown>>(`SELECT * FROM ${job.table} ORDER BY ${job.naturalKey}`)).map(row => {
		const masked = maskRunFields(normaliseRow(row));
		delete masked.id;
		for (const [key, value] of Object.entries(masked)) {
			if (typeof value === 'string' && starts.includes(value)) {
				masked[key] = '<run start>';
			}
		}

		return JSON.stringify(masked);
	});
	const distinct = await sql.get<{n: unknown}>(`SELECT COUNT(*) AS n FROM (SELECT DISTINCT ${job.naturalKey} FROM ${job.table}) distinct_keys`);
	return {metrics, rows: rows.join('\n'), count: rows.length, distinct: Number(distinct?.n ?? 0)};
}

/** One uninterrupted run on a fresh copy of the data: the reference every trial is compared with. */
export async function referenceOutcome(dialect: Dialect, job: KillJob, size: DatasetSize = killTrialSize): Promise<Outcome & {batches: number}> {
	const database = await createTestDatabase(dialect);
	try {
		await buildDataset(database.sql, size);
		const folder = temporaryFolder();
		const result = await cli([...job.args, ...commonArgs(database, folder), '--output=json']);
		if (result.code !== 0) {
			throw new Error(`The uninterrupted ${job.name} run failed (${String(result.code)}): ${result.stderr}`);
		}

		const batches = await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_batches');
		return {...(await outcomeOf(database.sql, job, result.json?.metrics as Record<string, unknown>)), batches: Number(batches?.n ?? 0)};
	} finally {
		await database.destroy();
	}
}

/** Spawns the job, kills it with SIGKILL at a seeded moment, resumes it with the same command, compares. */
export async function killTrial(dialect: Dialect, job: KillJob, reference: Outcome & {batches: number}, seed: number, size: DatasetSize = killTrialSize): Promise<TrialResult> {
	const random = prng(seed);
	const database = await createTestDatabase(dialect);
	try {
		await buildDataset(database.sql, size);
		const folder = temporaryFolder();
		const args = [...job.args, ...commonArgs(database, folder), '--events=json', '--output=json'];
		// 0 → during start-up / checks (a random 0–400 ms after its first event); k → right after the k-th batch event
		// plus a 0–40 ms jitter, so some kills land inside the next batch's transaction.
		// About one trial in six dies early (start-up, checks, building the work set), the rest after a random batch.
		const killedAfterProgress = random() < 0.16 ? 0 : 1 + Math.floor(random() * Math.max(1, reference.batches - 1));
		const jitter = killedAfterProgress === 0 ? Math.floor(random() * 400) : Math.floor(random() * 40);
		let progress = 0;
		let armed = false;
		const killed: CliResult = await cli(args, {
			onStderrLine(line, child) {
				if (armed) {
					return;
				}

				const isProgress = line.includes('"step-progress"');
				if (isProgress) {
					progress++;
				}

				if ((killedAfterProgress === 0 && line.startsWith('{')) || (isProgress && progress >= killedAfterProgress)) {
					armed = true;
					setTimeout(() => child.kill('SIGKILL'), jitter);
				}
			},
		});
		const committed = Number((await database.sql.get<{n: unknown}>('SELECT COUNT(*) AS n FROM runbook_batches'))?.n ?? 0);
		// Killed after the run was recorded as succeeded (before it could print): that run is complete, and the same
		// command is then a second, idempotent run. Its metrics are the recorded ones.
		const first = await database.sql.get<{status: string; metrics: string | null}>(`SELECT status, metrics FROM runbook_runs WHERE job = ? AND mode = 'execute' ORDER BY id LIMIT 1`, [job.name]);
		const recordedFirst = first?.status === 'succeeded' ? (JSON.parse(first.metrics ?? '{}') as Record<string, unknown>) : undefined;
		const resumed = await cli([...job.args, ...commonArgs(database, folder), '--output=json']);
		// A kill that came too late (the run had finished): its own document has the metrics; the re-run is idempotent.
		const finishedFirst = (killed.code === 0 && killed.json !== undefined) || recordedFirst !== undefined;
		const firstMetrics = killed.code === 0 && killed.json !== undefined ? (killed.json.metrics as Record<string, unknown>) : recordedFirst;
		const outcome = await outcomeOf(database.sql, job, ((finishedFirst ? firstMetrics : resumed.json?.metrics) ?? {}) as Record<string, unknown>);
		const problems: string[] = [];
		if (resumed.code !== 0) problems.push(`resume exited ${String(resumed.code)}: ${resumed.stderr.trim().split('\n').at(-1) ?? ''}`);
		if (JSON.stringify(outcome.metrics) !== JSON.stringify(reference.metrics)) problems.push(`metrics ${JSON.stringify(outcome.metrics)} ≠ ${JSON.stringify(reference.metrics)}`);
		if (outcome.count !== outcome.distinct) problems.push(`${outcome.count - outcome.distinct} duplicate rows`);
		if (outcome.count !== reference.count) problems.push(`${outcome.count} rows, uninterrupted ${reference.count}`);
		if (outcome.rows !== reference.rows) problems.push(`row contents differ from the uninterrupted run: ${firstDifference(outcome.rows, reference.rows)}`);
		return {
			seed,
			killedAfterProgress,
			committedBeforeKill: committed,
			killed: killed.signal === 'SIGKILL' && !finishedFirst,
			resumeCode: resumed.code,
			identical: problems.length === 0,
			detail: problems.join('; '),
		};
	} finally {
		await database.destroy();
	}
}

/** The first row that differs, both versions: what a failed trial needs to be understood. */
function firstDifference(actual: string, expected: string): string {
	const actualRows = actual.split('\n');
	const expectedRows = expected.split('\n');
	const index = actualRows.findIndex((row, position) => row !== expectedRows[position]);
	const at = index === -1 ? actualRows.length : index;
	return `row ${at + 1}: after the resume ${actualRows[at] ?? '(none)'}, uninterrupted ${expectedRows[at] ?? '(none)'}`;
}

export {sleep};
