// npm run bench [-- --rows=1000000 --db=sqlite|mariadb|both --dataset=demo|dense|both --variant=encrypted|plain|both]
// (DESIGN.md §11; issues 13 and 14).
//
// Generates each dataset once per database (`demo`: the demo's shape; `dense`: every enrollment its own pair, 10 % of
// the pairs members to reactivate or update), in the platform's encrypted form (default) or plain JSON, then measures
// on that same data, each phase in its own child process (so the peak RSS is the phase's own) after restoring the
// generated rows:
//   (a) the single-statement limit: the job's final rows in one transaction (bench/single-statement.ts: SHA-1 keys and
//       encrypted metadata computed in TypeScript into a key table inside the timed part, then one INSERT … SELECT);
//       test/bench/single-statement.test.ts proves (a) and the job end with the same rows;
//   (b) the tool's job through runJobStep (lock, checkpoints, undo, evidence, counters on) at each job's default
//       (--batch=1000, --chunk=500) and with --adaptive;
//   (c) (b) under the guided session's Ink renderer drawing to an off-screen terminal;
//   (d) a naive ORM loop (findOne + persist + flush per enrollment) on a sample, extrapolated;
// plus the dry run, and a crash at 50 % followed by a resume. Prints rows/s, ratios per dataset and variant, peak RSS
// and the issues' targets (PASS/MISS), and writes bench/results/<YYYY-MM-DD>-<db>-<dataset>[-plain].json.
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {cpus} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import mysql from 'mysql2/promise';
import {type BenchDb, type PhaseResult, phaseEnvironment, resultPrefix, temporaryFolder, toolNodeFlags} from './common.js';
import {type DatasetKind, type DatasetVariant, datasetAppKey} from './dataset.js';
import type {JobName, PhaseSpec} from './phase.js';
import {measureStartup, type StartupTimings} from './startup.js';

const here = dirname(fileURLToPath(import.meta.url));
// `npm run bench` runs the compiled bench (dist/bench/) so the phases measure the tool as `npm start` runs it, without
// tsx's loader in every process; `tsx bench/bench.ts` still works and runs the phases through tsx.
const compiled = import.meta.url.endsWith('.js');
const resultsFolder = compiled ? join(here, '..', '..', 'bench', 'results') : join(here, 'results');
const mysqlServer = (process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');

type Args = {rows: number; dbs: BenchDb[]; datasets: DatasetKind[]; variants: DatasetVariant[]; seed: number; sample: number; batch: number; chunk: number; repeat: number; jobs: JobName[]; startup: 'yes' | 'no' | 'only'};

function parseArgs(argv: readonly string[]): Args {
	const values = new Map<string, string>();
	for (const arg of argv) {
		const match = /^--([a-z-]+)=(.*)$/.exec(arg);
		if (!match) throw new Error(`Unknown argument ${arg}; use --rows=N --db=sqlite|mariadb|both [--dataset=demo|dense|both] [--variant=encrypted|plain|both] [--seed=N] [--sample=N] [--batch=N] [--chunk=N] [--repeat=N] [--jobs=backfill,legacy] [--startup=yes|no|only].`);
		values.set(match[1]!, match[2]!);
	}

	const number = (name: string, fallback: number) => {
		const raw = values.get(name);
		if (raw === undefined) return fallback;
		if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`--${name} must be a positive integer, got ${raw}.`);
		return Number(raw);
	};

	const db = values.get('db') ?? 'both';
	if (!['sqlite', 'mariadb', 'both'].includes(db)) throw new Error(`--db must be sqlite, mariadb or both, got ${db}.`);
	const jobs = (values.get('jobs') ?? 'backfill,legacy').split(',');
	if (jobs.some(job => job !== 'backfill' && job !== 'legacy')) throw new Error(`--jobs must list backfill and/or legacy, got ${values.get('jobs')}.`);
	const dataset = values.get('dataset') ?? 'both';
	if (!['demo', 'dense', 'both'].includes(dataset)) throw new Error(`--dataset must be demo, dense or both, got ${dataset}.`);
	const variant = values.get('variant') ?? 'encrypted';
	if (!['encrypted', 'plain', 'both'].includes(variant)) throw new Error(`--variant must be encrypted, plain or both, got ${variant}.`);
	const startup = values.get('startup') ?? 'yes';
	if (!['yes', 'no', 'only'].includes(startup)) throw new Error(`--startup must be yes, no or only, got ${startup}.`);
	return {rows: number('rows', 1_000_000), dbs: db === 'both' ? ['sqlite', 'mariadb'] : [db as BenchDb], datasets: dataset === 'both' ? ['demo', 'dense'] : [dataset as DatasetKind], variants: variant === 'both' ? ['plain', 'encrypted'] : [variant as DatasetVariant], seed: number('seed', 1), sample: number('sample', 10_000), batch: number('batch', 1000), chunk: number('chunk', 500), repeat: number('repeat', 1), jobs: jobs as JobName[], startup: startup as Args['startup']};
}

async function runPhase(spec: PhaseSpec): Promise<PhaseResult> {
	process.stderr.write(`  ${spec.name} … `);
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [...toolNodeFlags, ...(compiled ? [join(here, 'phase.js')] : ['--import', 'tsx', join(here, 'phase.ts')]), JSON.stringify(spec)], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, ...phaseEnvironment}});
		runningChild = child;
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => {
			stdout += chunk.toString();
		});
		child.stderr.on('data', (chunk: Buffer) => {
			stderr = (stderr + chunk.toString()).slice(-20_000);
		});
		child.on('close', code => {
			runningChild = undefined;
			const line = stdout.split('\n').reverse().find(text => text.startsWith(resultPrefix));
			if (code !== 0 || !line) {
				process.stderr.write('failed\n');
				reject(new Error(`phase ${spec.name} exited ${code}:\n${stderr.split('\n').filter(text => !text.startsWith('APP RENDER')).slice(-30).join('\n')}`));
				return;
			}

			const result = JSON.parse(line.slice(resultPrefix.length)) as PhaseResult;
			process.stderr.write(`${result.seconds.toFixed(2)} s, ${result.maxRssMiB} MiB\n`);
			resolve(result);
		});
	});
}

type DbRun = {
	readonly db: BenchDb;
	readonly datasetKind: DatasetKind;
	readonly variant: DatasetVariant;
	readonly rows: number;
	readonly dataset: Record<string, unknown>;
	readonly phases: Record<string, PhaseResult & {rows_per_second: number}>;
	readonly wallSeconds: number;
};

/** How a run is named in tables and targets: `sqlite demo`, `mariadb dense plain`. */
function labelOf(run: {readonly db: BenchDb; readonly datasetKind: DatasetKind; readonly variant: DatasetVariant}): string {
	return `${run.db} ${run.datasetKind}${run.variant === 'plain' ? ' plain' : ''}`;
}

async function benchDatabase(db: BenchDb, datasetKind: DatasetKind, variant: DatasetVariant, args: Args): Promise<DbRun> {
	const started = performance.now();
	let url: string;
	let cleanup: () => Promise<void>;
	if (db === 'sqlite') {
		const folder = temporaryFolder('runbook-bench-');
		url = `sqlite:${join(folder.path, 'bench.sqlite')}`;
		cleanup = async () => folder.remove();
	} else {
		const schema = `runbook_bench_${randomBytes(4).toString('hex')}`;
		url = `${mysqlServer}/${schema}`;
		await adminQuery(`CREATE DATABASE ${schema} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
		cleanup = async () => adminQuery(`DROP DATABASE IF EXISTS ${schema}`);
	}

	process.stderr.write(`${labelOf({db, datasetKind, variant})} (${args.rows.toLocaleString('en-US')} enrollments, ${variant}):\n`);
	// The encrypted variant's key: every tool phase and (a) get it, as the platform's APP_KEY.
	const appKey = variant === 'encrypted' ? datasetAppKey(args.seed) : undefined;
	pendingCleanups.add(cleanup);
	try {
		const generated = await runPhase({phase: 'generate', name: 'generate', url, rows: args.rows, seed: args.seed, variant, dataset: datasetKind});
		const tableRows = (generated.details.rows ?? {}) as Record<string, number>;
		const enrollments = tableRows.enrollments ?? args.rows;
		const legacyRows = (tableRows.community_posts ?? 0) + (tableRows.community_post_comments ?? 0) + (tableRows.certificates ?? 0);
		const phases: DbRun['phases'] = {};
		// With --repeat=N a phase runs N times (interleaved with the others): the fastest run counts, the peak RSS is the
		// highest of all, and every time is kept (`all_seconds`), since a loaded machine makes single runs noisy.
		const record = (result: PhaseResult, rows: number) => {
			const previous = phases[result.phase];
			const all = [...((previous?.details.all_seconds as number[] | undefined) ?? (previous ? [previous.seconds] : [])), result.seconds];
			const best = previous && previous.seconds <= result.seconds ? previous : result;
			phases[result.phase] = {
				...best,
				maxRssMiB: Math.max(result.maxRssMiB, previous?.maxRssMiB ?? 0),
				details: {...best.details, ...(all.length > 1 ? {all_seconds: all} : {})},
				rows,
				rows_per_second: best.seconds > 0 ? Math.round(rows / best.seconds) : 0,
			};
			return phases[result.phase]!;
		};

		for (const [job, rows] of (
			[
				['backfill', enrollments],
				['legacy', legacyRows],
			] as Array<[JobName, number]>
		).filter(([job]) => args.jobs.includes(job))) {
			let half = 0;
			// Each job at its own default (DESIGN.md: --batch=1000, --chunk=500), as an operator runs it.
			const size = job === 'backfill' ? args.batch : args.chunk;
			for (let round = 0; round < args.repeat; round++) {
				record(await runPhase({phase: 'single', name: `${job}.a-single-statement`, url, job, appKey}), rows);
				const fixed = record(await runPhase({phase: 'job', name: `${job}.b-job-batch-${size}`, url, job, mode: 'execute', batch: size, adaptive: false, ui: false, appKey}), rows);
				record(await runPhase({phase: 'job', name: `${job}.b-job-adaptive`, url, job, mode: 'execute', batch: size, adaptive: true, ui: false, appKey}), rows);
				record(await runPhase({phase: 'job', name: `${job}.c-job-under-ink`, url, job, mode: 'execute', batch: size, adaptive: false, ui: true, appKey}), rows);
				record(await runPhase({phase: 'job', name: `${job}.dry-run`, url, job, mode: 'dry-run', batch: size, adaptive: false, ui: false, appKey}), rows);
				half ||= Math.max(1, Math.floor(Number(fixed.details.batches ?? 2) / 2));
				record(await runPhase({phase: 'resume', name: `${job}.crash-at-50%-and-resume`, url, job, batch: size, crashAfterBatch: half, appKey}), rows);
			}

			if (job === 'backfill') {
				const sample = Math.min(args.sample, enrollments);
				const orm = await runPhase({phase: 'orm', name: `${job}.d-naive-orm-sample`, url, sample, appKey});
				// Extrapolated to the whole table from the sample's time per enrollment.
				const seconds = (orm.seconds * enrollments) / Math.max(1, Number(orm.details.sample_enrollments ?? sample));
				record({...orm, phase: `${job}.d-naive-orm`, seconds: Math.round(seconds * 10) / 10, details: {...orm.details, sample_seconds: orm.seconds, extrapolated: true}}, enrollments);
			}
		}

		return {db, datasetKind, variant, rows: args.rows, dataset: {generator: generated.details.generator, variant, kind: datasetKind, seconds: generated.seconds, rows: tableRows, member_metadata: generated.details.member_metadata, maxRssMiB: generated.maxRssMiB}, phases, wallSeconds: (performance.now() - started) / 1000};
	} finally {
		pendingCleanups.delete(cleanup);
		await cleanup();
	}
}

// Ctrl-C / SIGTERM: stop the running phase, drop the bench schema / remove the temp folder, then leave.
const pendingCleanups = new Set<() => Promise<void>>();
let runningChild: ReturnType<typeof spawn> | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		runningChild?.kill('SIGKILL');
		void Promise.allSettled([...pendingCleanups].map(async cleanup => cleanup())).then(() => process.exit(130));
	});
}

async function adminQuery(statement: string): Promise<void> {
	const url = new URL(mysqlServer);
	const connection = await mysql.createConnection({host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username || 'root'), password: decodeURIComponent(url.password)});
	try {
		await connection.query(statement);
	} finally {
		await connection.end();
	}
}

function measuredJobs(phases: Record<string, unknown>): JobName[] {
	return (['backfill', 'legacy'] as const).filter(job => Object.keys(phases).some(name => name.startsWith(`${job}.`)));
}

/** `db` is the run's label (`sqlite demo`, `mariadb dense plain`) or `all`. */
type Target = {readonly db: string; readonly target: string; readonly value: string; readonly pass: boolean | null};

function targetsOf(run: DbRun, previous: Record<string, DbRun> | undefined): Target[] {
	const p = run.phases;
	const s = (name: string) => p[name]?.seconds ?? Number.NaN;
	// Issue 13: the backfill within 2.0× (SQLite) / 1.5× (MariaDB) of the single statement, the legacy migration 2.5× on both.
	const limitOf = (job: JobName) => (job === 'legacy' ? 2.5 : run.db === 'sqlite' ? 2 : 1.5);
	const targets: Target[] = [];
	const ratio = (a: number, b: number) => a / b;
	for (const job of measuredJobs(p)) {
		const label = job === 'backfill' ? 'backfill' : 'legacy migration';
		const limit = limitOf(job);
		const batch = Object.keys(p).find(name => name.startsWith(`${job}.b-job-batch-`))!;
		const b = s(batch);
		const ba = ratio(b, s(`${job}.a-single-statement`));
		targets.push({db: labelOf(run), target: `${label}: (b) job / (a) single statement ≤ ${limit}`, value: ba.toFixed(2), pass: ba <= limit});
		const adaptive = ratio(s(`${job}.b-job-adaptive`), s(`${job}.a-single-statement`));
		targets.push({db: labelOf(run), target: `${label}: (b, --adaptive) / (a) ≤ ${limit}`, value: adaptive.toFixed(2), pass: adaptive <= limit});
		const cb = ratio(s(`${job}.c-job-under-ink`), b);
		targets.push({db: labelOf(run), target: `${label}: (c) under Ink / (b) ≤ 1.05`, value: cb.toFixed(3), pass: cb <= 1.05});
		const dry = ratio(s(`${job}.dry-run`), b);
		targets.push({db: labelOf(run), target: `${label}: dry run / execute ≤ 0.5`, value: dry.toFixed(2), pass: dry <= 0.5});
		const resume = ratio(s(`${job}.crash-at-50%-and-resume`), b) - 1;
		targets.push({db: labelOf(run), target: `${label}: crash at 50 % + resume, extra ≤ 5 %`, value: `${(resume * 100).toFixed(1)} %`, pass: resume <= 0.05});
		const adaptiveDetails = p[`${job}.b-job-adaptive`]?.details ?? {};
		const changes = Number(adaptiveDetails.batch_size_changed_events ?? 0);
		const recorded = Number((adaptiveDetails.evidence_events as Record<string, number> | undefined)?.['batch-size-changed'] ?? 0);
		targets.push({db: labelOf(run), target: `${label}: --adaptive changes the batch size (events, evidence, runbook_batches)`, value: `${changes} changes, ${recorded} in evidence, ${String(adaptiveDetails.batch_sizes_in_runbook_batches ?? 0)} sizes, final ${String(adaptiveDetails.batch_size_final ?? '?')}`, pass: changes > 0 && recorded === changes && Number(adaptiveDetails.batch_sizes_in_runbook_batches ?? 0) > 1});
	}

	if (measuredJobs(p).includes('backfill')) {
		const db = s('backfill.d-naive-orm') / s(Object.keys(p).find(name => name.startsWith('backfill.b-job-batch-'))!);
		targets.push({db: labelOf(run), target: 'backfill: (d) naive ORM ≥ 300× slower than (b)', value: `${db.toFixed(0)}×`, pass: db >= 300});
	}

	// The job reads and writes the platform's form: after (b) community_members.metadata holds envelopes / plain JSON /
	// nothing in the same numbers as after (a) (which writes the form the job decides, computed in TypeScript).
	const forms = (name: string) => p[name]?.details.member_metadata as {envelope: number; plain: number; empty: number} | undefined;
	const aForms = forms('backfill.a-single-statement');
	const bForms = forms(Object.keys(p).find(name => name.startsWith('backfill.b-job-batch-')) ?? '');
	if (aForms && bForms) {
		const text = (f: {envelope: number; plain: number; empty: number}) => `${f.envelope} envelopes / ${f.plain} plain / ${f.empty} empty`;
		targets.push({db: labelOf(run), target: `backfill: member metadata after (b) in the same forms as after (a) (${run.variant})`, value: `(b) ${text(bForms)}; (a) ${text(aForms)}`, pass: JSON.stringify(aForms) === JSON.stringify(bForms) && (run.variant === 'plain' ? bForms.envelope === 0 : bForms.envelope > 0)});
	}

	const toolPhases = Object.entries(p).filter(([name]) => /\.(b-|c-|dry-run|crash)/.test(name));
	const peak = Math.max(...toolPhases.map(([, phase]) => phase.maxRssMiB));
	targets.push({db: labelOf(run), target: 'peak RSS of the tool (b, c, dry run, resume) < 200 MiB', value: `${peak} MiB`, pass: peak < 200});
	const other = previous && Object.values(previous).find(entry => entry.rows !== run.rows);
	if (other) {
		const [small, large] = other.rows < run.rows ? [other, run] : [run, other];
		// Over the tool phases both runs have (a run may have measured one job only, --jobs).
		const shared = (entry: DbRun, other: DbRun) => Object.entries(entry.phases).filter(([name]) => /\.(b-|c-|dry-run|crash)/.test(name) && name in other.phases);
		const peakOf = (entry: DbRun) => Math.max(...shared(entry, entry === small ? large : small).map(([, phase]) => phase.maxRssMiB));
		const growth = peakOf(large) / peakOf(small) - 1;
		targets.push({db: labelOf(run), target: `peak RSS growth ${small.rows.toLocaleString('en-US')} → ${large.rows.toLocaleString('en-US')} rows < 10 %`, value: `${(growth * 100).toFixed(1)} %`, pass: growth < 0.1});
	} else {
		targets.push({db: labelOf(run), target: 'peak RSS growth 1M → 5M rows < 10 %', value: 'not measured (needs a --rows=5000000 run too)', pass: null});
	}

	return targets;
}

function phaseTable(run: DbRun): string[] {
	const lines = [`| ${labelOf(run)} phase | seconds | rows/s | peak RSS MiB |`, '|---|---:|---:|---:|'];
	for (const [name, phase] of Object.entries(run.phases)) {
		lines.push(`| ${name}${phase.details.extrapolated ? ` (${String(phase.details.sample_enrollments)}-row sample, extrapolated)` : ''} | ${phase.seconds.toFixed(2)} | ${phase.rows_per_second.toLocaleString('en-US')} | ${phase.maxRssMiB} |`);
	}

	return lines;
}

function targetTable(targets: readonly Target[]): string[] {
	return [
		'| database | target | measured | result |',
		'|---|---|---|---|',
		...targets.map(target => `| ${target.db} | ${target.target} | ${target.value} | ${target.pass === null ? 'n/a' : target.pass ? 'PASS' : 'MISS'} |`),
	];
}

function machineOf() {
	return {cpus: cpus().length, cpu_model: cpus()[0]?.model ?? '?', node: process.version, platform: process.platform};
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	const started = performance.now();
	const day = new Date().toISOString().slice(0, 10);
	const runs: DbRun[] = [];
	const allTargets: Target[] = [];
	mkdirSync(resultsFolder, {recursive: true});
	let startup: StartupTimings | undefined;
	if (args.startup !== 'no') {
		process.stderr.write('start-up (median of 10 runs each) …\n');
		// A start-up that fails or hangs is a MISS with its reason; the database phases still run.
		startup = await measureStartup().catch((error: unknown) => {
			allTargets.push({db: 'all', target: 'start-up timings', value: `failed: ${(error as Error).message.split('\n')[0]!.slice(0, 200)}`, pass: false});
			return undefined;
		});
		for (const [name, timing] of Object.entries(startup ?? {})) {
			allTargets.push({db: 'all', target: `start-up: ${name.replaceAll('_', ' ')} ≤ ${timing.target_ms} ms (median of 10)`, value: `${timing.median_ms} ms`, pass: timing.median_ms <= timing.target_ms});
		}

		if (startup) {
			writeFileSync(join(resultsFolder, `${day}-startup.json`), `${JSON.stringify({machine: machineOf(), startup}, null, '\t')}\n`);
		}
	}

	const combinations = args.dbs.flatMap(db => args.datasets.flatMap(kind => args.variants.map(variant => [db, kind, variant] as const)));
	for (const [db, kind, variant] of args.startup === 'only' ? [] : combinations) {
		const run = await benchDatabase(db, kind, variant, args);
		runs.push(run);
		const file = join(resultsFolder, `${day}-${db}-${kind}${variant === 'plain' ? '-plain' : ''}.json`);
		const previous = existsSync(file) ? ((JSON.parse(readFileSync(file, 'utf8')) as {runs?: Record<string, DbRun>}).runs ?? {}) : {};
		const targets = targetsOf(run, previous);
		allTargets.push(...targets);
		const machine = machineOf();
		// Keyed by row count; a run of one job only (--jobs) gets its own key instead of replacing the run of both.
		const key = args.jobs.length === 2 ? String(run.rows) : `${run.rows}-${args.jobs.join(',')}`;
		writeFileSync(file, `${JSON.stringify({machine, runs: {...previous, [key]: {...run, targets}}}, null, '\t')}\n`);
		process.stderr.write(`  → ${file}\n${[...phaseTable(run), '', ...targetTable(targets)].join('\n')}\n\n`);
	}

	const total = (performance.now() - started) / 1000;
	if (args.rows === 1_000_000 && args.dbs.length === 2 && args.startup !== 'only') {
		allTargets.push({db: 'all', target: `npm run bench -- --rows=1000000 --db=both (${args.datasets.join(' + ')}, ${args.variants.join(' + ')}) under 30 min`, value: `${(total / 60).toFixed(1)} min`, pass: total < 1800});
	}

	const output = [`Bench: ${args.rows.toLocaleString('en-US')} enrollments, datasets ${args.datasets.join(' + ')}, ${args.variants.join(' + ')}${args.repeat > 1 ? `, best of ${args.repeat}` : ''}, ${cpus().length} cores, Node ${process.version}, total ${(total / 60).toFixed(1)} min`, ''];
	for (const run of runs) {
		output.push(...phaseTable(run), '');
		const p = run.phases;
		for (const job of measuredJobs(p)) {
			const batch = Object.keys(p).find(name => name.startsWith(`${job}.b-job-batch-`))!;
			const a = p[`${job}.a-single-statement`]!.seconds;
			const b = p[batch]!.seconds;
			const c = p[`${job}.c-job-under-ink`]!.seconds;
			const d = p[`${job}.d-naive-orm`]?.seconds;
			output.push(`${labelOf(run)} ${job}: b/a ${(b / a).toFixed(2)}, c/b ${(c / b).toFixed(3)}${d ? `, a/d ${(a / d).toExponential(2)} (a is ${(d / a).toFixed(0)}× faster than d)` : ''}`);
		}

		output.push('');
	}

	// The cost of the platform's encryption: rows/s of the same phase on the plain and the encrypted variant.
	const pairs = runs.filter(run => run.variant === 'plain').flatMap(plain => runs.filter(run => run.variant === 'encrypted' && run.db === plain.db && run.datasetKind === plain.datasetKind).map(encrypted => [plain, encrypted] as const));
	if (pairs.length > 0) {
		output.push('| database dataset | phase | plain rows/s | encrypted rows/s | change |', '|---|---|---:|---:|---:|');
		for (const [plain, encrypted] of pairs) {
			for (const name of Object.keys(plain.phases).filter(name => /\.(a-single|b-job-batch)/.test(name) && name in encrypted.phases)) {
				const before = plain.phases[name]!.rows_per_second;
				const after = encrypted.phases[name]!.rows_per_second;
				output.push(`| ${plain.db} ${plain.datasetKind} | ${name} | ${before.toLocaleString('en-US')} | ${after.toLocaleString('en-US')} | ${(((after - before) / before) * 100).toFixed(1)} % |`);
			}
		}

		output.push('');
	}

	output.push(...targetTable(allTargets));
	process.stdout.write(`${output.join('\n')}\n`);
}

await main();
