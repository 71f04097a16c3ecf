import {userInfo} from 'node:os';
import {render} from 'ink';
import type {Operator, RunEvent, RunResult} from '../engine/runner-events.js';
import {App} from './app.js';
import {ColorContext} from './color.js';
import {createRunFeed} from './run-feed.js';

export type GuidedSessionOptions = {
	/** Starts the run with the TUI's operator and event listener; resolves with the run's result. */
	readonly start: (operator: Operator, onEvent: (event: RunEvent) => void) => Promise<RunResult>;
	/** The evidence summary of a step, for the `e` key. */
	readonly readEvidence?: (stepId: string) => Promise<string>;
	/** Called when the operator confirms "abort after the current batch" (wire it to the run's AbortController). */
	readonly onAbort?: () => void;
	/** Called on Ctrl-C after an abort was already requested (DESIGN.md §6: a second Ctrl-C exits at once). */
	readonly onForceQuit?: () => void;
	/** Header: the runbook's title and the database (redacted, e.g. `sqlite:storage/demo.sqlite`). */
	readonly title?: string;
	readonly database?: string;
	/** The platform's time zone, shown in the header. */
	readonly timeZone?: string;
	/** Recorded as `by` with each decision; defaults to the OS user name. */
	readonly operatorName?: string;
	/** Colours are decoration only; pass false for NO_COLOR. Default: true unless NO_COLOR is set. */
	readonly color?: boolean;
	readonly stdout?: NodeJS.WriteStream;
	readonly stdin?: NodeJS.ReadStream;
	/**
	 * Most redraws per second (default 5): caps both the React updates from progress events and Ink's frame rate.
	 * Keys still answer at once (the first update of a quiet period is drawn immediately).
	 */
	readonly maxUpdatesPerSecond?: number;
	/** Ink debug mode: every frame written in full, history included (tests, off-screen benchmarks). */
	readonly debugFrames?: boolean;
	/** Told after Ink draws a frame, with the time it took to turn the laid-out tree into text (benchmarks). */
	readonly onFrame?: (metrics: {readonly renderTime: number}) => void;
};

/**
 * Runs a guided session: mounts the TUI, answers the engine's operator port from on-screen prompts, and resolves
 * with the run's result once the run has ended and the last frame is drawn. Rejects with `start`'s error, if any.
 * Only call this when stdin and stdout are TTYs (STYLE.md: decide interactive vs not once, at the CLI edge).
 */
export async function runGuidedSession(options: GuidedSessionOptions): Promise<RunResult> {
	const feed = createRunFeed();
	const operator: Operator = {
		decide: async request => new Promise(resolve => {
			feed.push({type: 'approval-requested', request, resolve});
		}),
		onFailure: async request => new Promise(resolve => {
			feed.push({type: 'failure-requested', request, resolve});
		}),
		onDrift: async request => new Promise(resolve => {
			feed.push({type: 'drift-requested', request, resolve});
		}),
	};
	const instance = render(
		<ColorContext.Provider value={options.color ?? !process.env.NO_COLOR}>
			<App
				feed={feed}
				title={options.title ?? 'Runbook'}
				database={options.database ?? null}
				timeZone={options.timeZone ?? null}
				operatorName={options.operatorName ?? currentUser()}
				readEvidence={options.readEvidence}
				onAbort={options.onAbort}
				onForceQuit={options.onForceQuit}
				intervalMs={Math.round(1000 / (options.maxUpdatesPerSecond ?? 5))}
			/>
		</ColorContext.Provider>,
		{stdout: options.stdout, stdin: options.stdin, exitOnCtrlC: false, patchConsole: false, debug: options.debugFrames ?? false, maxFps: options.maxUpdatesPerSecond ?? 5, onRender: options.onFrame},
	);

	let result: RunResult;
	try {
		result = await options.start(operator, event => {
			feed.push(event);
		});
	} catch (error) {
		feed.push({type: 'session-crashed', message: error instanceof Error ? error.message : String(error)});
		await instance.waitUntilExit().catch(() => undefined);
		throw error;
	}

	feed.push({type: 'session-closed', result});
	await instance.waitUntilExit();
	return result;
}

function currentUser(): string {
	try {
		return userInfo().username;
	} catch {
		return 'operator';
	}
}
