import process from 'node:process';
import {parseArgs} from 'node:util';
import type {Dialect} from '../../source/db/sql.js';
import {killJobs, killTrial, referenceOutcome, type TrialResult} from './kill-trials.js';

// `npm run soak [-- --trials=100 --db=sqlite|mysql|both --parallel=3 --seed=1]`: many kill -9 + resume trials of the
// real CLI (the same trial as test/reliability/kill.test.ts), spread over both jobs and the chosen databases, then a
// table: trials run, trials identical to the uninterrupted run, and how many had written something before the kill.
// Exit 1 when any trial differs.

const {values} = parseArgs({
	options: {
		trials: {type: 'string', default: '100'},
		db: {type: 'string', default: 'both'},
		parallel: {type: 'string', default: '3'},
		seed: {type: 'string', default: '1'},
	},
});

const trials = Number(values.trials);
const parallel = Math.max(1, Number(values.parallel));
const firstSeed = Number(values.seed);
const databases: Dialect[] = values.db === 'both' ? ['sqlite', 'mysql'] : [values.db as Dialect];
if (!Number.isInteger(trials) || trials < 1 || databases.some(db => db !== 'sqlite' && db !== 'mysql')) {
	process.stderr.write('usage: npm run soak -- [--trials=100] [--db=sqlite|mysql|both] [--parallel=3] [--seed=1]\n');
	process.exit(2);
}

type Row = {job: string; db: Dialect; results: TrialResult[]};
const combos = databases.flatMap(db => killJobs.map(job => ({db, job})));
const rows: Row[] = combos.map(({db, job}) => ({job: job.name, db, results: []}));
const started = Date.now();
const references = await Promise.all(combos.map(async ({db, job}) => referenceOutcome(db, job)));
process.stderr.write(`references: ${combos.map(({db, job}, index) => `${job.name}/${db} ${references[index]!.batches} batches`).join(', ')}\n`);

const queue = Array.from({length: trials}, (_, index) => ({index, combo: index % combos.length}));
let done = 0;
async function worker(): Promise<void> {
	for (;;) {
		const next = queue.shift();
		if (!next) {
			return;
		}

		const {db, job} = combos[next.combo]!;
		const result = await killTrial(db, job, references[next.combo]!, firstSeed * 100_000 + next.index).catch(
			(error: unknown): TrialResult => ({seed: firstSeed * 100_000 + next.index, killedAfterProgress: -1, committedBeforeKill: 0, killed: false, resumeCode: null, identical: false, detail: `trial crashed: ${String((error as Error).message ?? error)}`}),
		);
		rows[next.combo]!.results.push(result);
		done++;
		process.stderr.write(`[${done}/${trials}] ${job.name} ${db} seed=${result.seed} kill@${result.killedAfterProgress} committed=${result.committedBeforeKill} ${result.killed ? 'SIGKILL' : 'finished-first'} → ${result.identical ? 'identical' : `DIFFERENT: ${result.detail}`}\n`);
	}
}

await Promise.all(Array.from({length: parallel}, async () => worker()));

const header = ['job', 'db', 'trials run', 'trials identical', 'killed after writing', 'killed before writing', 'finished before the kill'];
const table = rows.map(row => [
	row.job,
	row.db,
	String(row.results.length),
	String(row.results.filter(result => result.identical).length),
	String(row.results.filter(result => result.killed && result.committedBeforeKill > 0).length),
	String(row.results.filter(result => result.killed && result.committedBeforeKill === 0).length),
	String(row.results.filter(result => !result.killed).length),
]);
const all = rows.flatMap(row => row.results);
table.push(['all', databases.join('+'), String(all.length), String(all.filter(result => result.identical).length), String(all.filter(result => result.killed && result.committedBeforeKill > 0).length), String(all.filter(result => result.killed && result.committedBeforeKill === 0).length), String(all.filter(result => !result.killed).length)]);
const widths = header.map((title, column) => Math.max(title.length, ...table.map(line => line[column]!.length)));
const format = (line: string[]) => `| ${line.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
process.stdout.write(`${format(header)}\n|${widths.map(width => '-'.repeat(width + 2)).join('|')}|\n${table.map(line => format(line)).join('\n')}\n`);
process.stdout.write(`${Math.round((Date.now() - started) / 1000)} s\n`);
for (const result of all.filter(result => !result.identical)) {
	process.stdout.write(`seed ${result.seed}: ${result.detail}\n`);
}

process.exit(all.every(result => result.identical) ? 0 : 1);
