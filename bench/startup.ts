// Start-up timings (issue 13): how long an operator waits for `--version`, `--help`, `status` on the demo database and
// the first frame of the guided session, each the median of 10 runs of the real bin with the tool's node flags.
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {toolEnvironment, toolNodeFlags} from './common.js';

const here = fileURLToPath(new URL('.', import.meta.url));
// From bench/ (tsx) or dist/bench/ (compiled): the project root holds bin/.
const root = join(here, here.includes(`${join('dist', 'bench')}`) ? '../..' : '..');
const bin = join(root, 'bin', 'community-runbook.js');

export type StartupTimings = Record<'version' | 'help' | 'status' | 'guide_first_frame', {readonly median_ms: number; readonly runs_ms: number[]; readonly target_ms: number}>;

const targets = {version: 150, help: 250, status: 700, guide_first_frame: 800} as const;

/** A start-up that takes longer than this is reported as a failure instead of hanging the bench. */
const runTimeoutMs = 30_000;

/** Wall time until the process exits (`until` absent) or until its output first matches `until` (then it is killed). */
async function timeOnce(command: string, args: readonly string[], cwd: string, until?: RegExp): Promise<number> {
	const started = performance.now();
	// CI removed, not emptied: Ink (is-in-ci) treats a CI variable that exists at all, even '', as CI and draws no
	// frame until the app exits, so the guide's first frame never came (the bench hung on it).
	const {CI: _ci, CONTINUOUS_INTEGRATION: _continuous, ...environment} = process.env;
	// Its own process group: killing `script` alone would leave the guide under it running, holding the run lock.
	const child = spawn(command, args, {cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: {...environment, ...toolEnvironment, DATABASE_URL: '', NO_COLOR: '1', FORCE_COLOR: '0'}});
	const killGroup = () => {
		try {
			process.kill(-child.pid!, 'SIGKILL');
		} catch {
			// Already gone.
		}
	};

	return new Promise((resolve, reject) => {
		let output = '';
		let done = false;
		const timer = setTimeout(() => {
			if (!done) {
				done = true;
				killGroup();
				reject(new Error(`${args.join(' ')} did not ${until ? 'draw its first frame' : 'exit'} within ${runTimeoutMs / 1000} s: ${output.slice(-300)}`));
			}
		}, runTimeoutMs);
		const finish = (ms: number) => {
			clearTimeout(timer);
			if (!done) {
				done = true;
				resolve(ms);
			}
		};

		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			if (until && until.test(output)) {
				finish(performance.now() - started);
				killGroup();
			}
		};

		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.on('close', code => {
			if (done) {
				return;
			}

			clearTimeout(timer);
			if (until) {
				done = true;
				reject(new Error(`${args.join(' ')} exited (${String(code)}) before its first frame: ${output.slice(-500)}`));
				return;
			}

			if (code !== 0) {
				done = true;
				reject(new Error(`${args.join(' ')} exited ${String(code)}: ${output.slice(-500)}`));
				return;
			}

			finish(performance.now() - started);
		});
	});
}

async function median(times: () => Promise<number>, runs = 10): Promise<{median_ms: number; runs_ms: number[]}> {
	const all: number[] = [];
	for (let run = 0; run < runs; run++) {
		all.push(Math.round(await times()));
	}

	const sorted = [...all].sort((a, b) => a - b);
	return {median_ms: (sorted[Math.floor((runs - 1) / 2)]! + sorted[Math.ceil((runs - 1) / 2)]!) / 2, runs_ms: all};
}

/**
 * Measures the four start-ups. `status` and `guide` run in a scratch app root with a tiny demo database (created
 * first, not timed); `guide` in a pseudo-terminal (util-linux `script`), timed until its header is drawn.
 */
export async function measureStartup(): Promise<StartupTimings> {
	const node = process.execPath;
	const cli = [...toolNodeFlags, bin];
	const folder = mkdtempSync(join(tmpdir(), 'runbook-startup-'));
	try {
		const database = `sqlite:${join(folder, 'demo.sqlite')}`;
		await timeOnce(node, [...cli, 'demo', '--size=tiny', `--database-url=${database}`, '--profile=demo', `--app-root=${folder}`], folder);
		const guideLine = `stty cols 120 rows 40; exec ${[node, ...cli, 'guide', `--database-url=${database}`, '--profile=demo', `--app-root=${folder}`].map(part => `'${part}'`).join(' ')}`;
		const version = await median(async () => timeOnce(node, [...cli, '--version'], folder));
		const help = await median(async () => timeOnce(node, [...cli, '--help'], folder));
		const status = await median(async () => timeOnce(node, [...cli, 'status', `--database-url=${database}`, '--profile=demo', `--app-root=${folder}`], folder));
		const guide = await median(async () => timeOnce('script', ['--quiet', '--flush', '--command', guideLine, '/dev/null'], folder, /Stage 11: community membership/));
		return {
			version: {...version, target_ms: targets.version},
			help: {...help, target_ms: targets.help},
			status: {...status, target_ms: targets.status},
			guide_first_frame: {...guide, target_ms: targets.guide_first_frame},
		};
	} finally {
		rmSync(folder, {recursive: true, force: true});
	}
}
