import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import process from 'node:process';
import {stripVTControlCharacters} from 'node:util';
import {cliEntry, projectRoot} from './cli.js';

// The real entry inside a real pseudo-terminal, through util-linux `script` (no native module to build): the child
// sees TTYs on stdin and stdout, so the CLI mounts Ink exactly as it does for an operator. Keys go in through
// `script`'s stdin, the terminal's output comes back on its stdout.

export type PtyExit = {readonly code: number | null; readonly signal: NodeJS.Signals | null};

export type PtySession = {
	/** Everything the terminal showed so far, ANSI stripped, each run of whitespace (line wraps too) one space. */
	readonly screen: () => string;
	/** A position in `screen()`: pass it as `since` to match only what is drawn after a key. */
	readonly mark: () => number;
	readonly send: (keys: string) => void;
	/** Polls the screen until it matches (no fixed sleeps); fails with the screen's tail on timeout or early exit. */
	readonly waitFor: (pattern: RegExp | string, options?: {readonly since?: number; readonly timeoutMs?: number}) => Promise<RegExpMatchArray>;
	readonly exit: Promise<PtyExit>;
	/** Ends the CLI and `script` at once, by process id; a no-op once they have exited. */
	readonly kill: () => void;
};

export type PtyOptions = {
	readonly cwd: string;
	readonly env?: Record<string, string | undefined>;
	readonly columns?: number;
	readonly rows?: number;
};

export const ptyKeys = {enter: '\r', escape: '\u001B', ctrlC: '\u0003'} as const;

/** Starts the real entry (`cliEntry`) with `args` in a pseudo-terminal of the given size. */
export function startPty(args: readonly string[], options: PtyOptions): PtySession {
	const command = [process.execPath, ...cliEntry, ...args].map(quote).join(' ');
	// `script` gives the pty the size of its own stdin, which is a pipe here: set it before the CLI reads it.
	const shellLine = `stty cols ${options.columns ?? 120} rows ${options.rows ?? 40}; exec ${command}`;
	const child = spawn('script', ['--quiet', '--flush', '--return', '--command', shellLine, '/dev/null'], {
		cwd: options.cwd,
		stdio: ['pipe', 'pipe', 'pipe'],
		env: terminalEnv(options),
	});
	let raw = '';
	let exited: PtyExit | null = null;
	child.stdout.on('data', (chunk: Buffer) => (raw += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (raw += chunk.toString()));
	const exit = new Promise<PtyExit>(resolve => {
		child.on('close', (code, signal) => {
			exited = {code, signal};
			resolve(exited);
		});
	});
	const plain = () => stripVTControlCharacters(raw).replaceAll('\r', '');
	const screen = () => plain().replaceAll(/\s+/g, ' ');

	async function waitFor(pattern: RegExp | string, {since = 0, timeoutMs = 30_000}: {since?: number; timeoutMs?: number} = {}) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const seen = screen().slice(since);
			const match = typeof pattern === 'string' ? matchText(seen, pattern) : seen.match(pattern);
			if (match) {
				return match;
			}

			// One last look after the exit: the final frame may have arrived with it.
			const gone = exited;
			if (gone !== null || Date.now() > deadline) {
				const why = gone === null ? `timed out after ${timeoutMs} ms` : `the CLI exited (code ${gone.code}, signal ${gone.signal}) first`;
				throw new Error(`waitFor ${String(pattern)}: ${why}. Terminal tail:\n${plain().slice(-4000)}`);
			}

			await new Promise(resolve => {
				setTimeout(resolve, 25);
			});
		}
	}

	return {
		screen,
		mark: () => screen().length,
		send(keys) {
			child.stdin.write(keys);
		},
		waitFor,
		exit,
		kill() {
			if (exited !== null || child.pid === undefined) {
				return;
			}

			// The CLI runs in its own session under `script`: end it by id first, then `script` itself.
			for (const pid of [...descendants(child.pid), child.pid]) {
				try {
					process.kill(pid, 'SIGKILL');
				} catch {}
			}
		},
	};
}

/** The caller's environment minus anything that would make the CLI or Ink think they run in CI or without a TTY. */
function terminalEnv(options: PtyOptions): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [name, value] of Object.entries(process.env)) {
		// Ink's is-in-ci treats any CI_* variable as CI and then draws only the last frame.
		if (!name.startsWith('CI_') && name !== 'CONTINUOUS_INTEGRATION') {
			env[name] = value;
		}
	}

	return {
		...env,
		CI: 'false',
		TERM: 'xterm-256color',
		SHELL: '/bin/sh',
		// Colours off: matching reads text; ANSI cursor moves are stripped anyway.
		NO_COLOR: '1',
		FORCE_COLOR: '0',
		DATABASE_URL: '',
		INIT_CWD: options.cwd,
		TSX_TSCONFIG_PATH: `${projectRoot}tsconfig.json`,
		...options.env,
	};
}

function matchText(text: string, wanted: string): RegExpMatchArray | null {
	const index = text.indexOf(wanted);
	if (index === -1) {
		return null;
	}

	const match: RegExpMatchArray = [wanted];
	match.index = index;
	return match;
}

function quote(word: string): string {
	return `'${word.replaceAll('\'', '\'\\\'\'')}'`;
}

/** Child process ids, depth first (Linux /proc). */
function descendants(pid: number): number[] {
	let children: number[];
	try {
		children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
	} catch {
		return [];
	}

	return children.flatMap(child => [...descendants(child), child]);
}
