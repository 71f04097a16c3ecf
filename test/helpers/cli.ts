import {spawn} from 'node:child_process';
import process from 'node:process';
import {toolEnvironment, toolNodeFlags} from '../../bench/common.js';

export type CliOutcome = {readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string};

export const projectRoot = new URL('../..', import.meta.url).pathname;

/**
 * node's arguments for the real entry, as `npm start` runs it: the bin with the tool's V8 flags. The bin runs the
 * compiled dist/ when it is fresh (CI builds it in `npm ci`) and the sources through tsx otherwise; a child on dist/
 * costs half the CPU of one on tsx, and the suite starts a few hundred.
 */
export const cliEntry: readonly string[] = [...toolNodeFlags, `${projectRoot}bin/community-runbook.js`];

export type CliOptions = {
	readonly env?: Record<string, string | undefined>;
	readonly cwd?: string;
	/** Start the test entry that crashes after this many committed batches (test/fixtures/crashing-cli.ts). */
	readonly crashAfterBatch?: number;
};

/** The real entry as a child process with stdin closed, as the acceptance suite runs it (DESIGN.md §10). */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliOutcome> {
	// tsx by its resolved URL: the child may start in a folder without node_modules.
	const entry = options.crashAfterBatch === undefined ? cliEntry : [`--import=${import.meta.resolve('tsx')}`, `${projectRoot}test/fixtures/crashing-cli.ts`, String(options.crashAfterBatch)];
	const child = spawn(process.execPath, [...entry, ...args], {
		cwd: options.cwd ?? projectRoot,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: {...process.env, ...toolEnvironment, CI: '1', NO_COLOR: '1', INIT_CWD: options.cwd ?? projectRoot, DATABASE_URL: '', TSX_TSCONFIG_PATH: `${projectRoot}tsconfig.json`, ...options.env},
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve => child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])));
	return {code, signal, stdout, stderr};
}

/** One line on stderr, no stack trace: what every user error must look like. */
export function isOneLineError(stderr: string): boolean {
	const lines = stderr.trimEnd().split('\n').filter(line => !line.startsWith('note: '));
	return lines.length === 1 && lines[0]!.startsWith('error: ') && !/\bat .+:\d+:\d+\)?$/m.test(stderr);
}
