import type {Operator, RunEvent, RunResult} from '../../source/engine/runner-events.js';
import {runGuidedSession, type GuidedSessionOptions} from '../../source/ui/run-ui.js';
import {FakeStdin, FakeStdout, plain} from './ink.js';

export type Screen = {
	readonly stdin: FakeStdin;
	readonly stdout: FakeStdout;
	/** The latest full frame (history included), ANSI stripped. */
	readonly lastFrame: () => string;
};

/** The fake runner: emits events and awaits the operator like the engine does, driving the screen as it goes. */
export type Script = (operator: Operator, emit: (event: RunEvent) => void, screen: Screen) => Promise<RunResult>;

/** Runs `runGuidedSession` on fake terminal streams of the given size (Ink debug mode: every frame written whole). */
export function startSession(script: Script, size = {columns: 100, rows: 40}, extra: Partial<GuidedSessionOptions> = {}) {
	const stdout = new FakeStdout(size.columns, size.rows);
	const stdin = new FakeStdin();
	const screen: Screen = {stdin, stdout, lastFrame: () => plain(stdout.lastFrame())};
	const result = runGuidedSession({
		title: 'Stage 11: community membership and profile activity',
		database: 'sqlite:storage/demo.sqlite',
		operatorName: 'alice',
		stdout: stdout as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		debugFrames: true,
		start: async (operator, emit) => script(operator, emit, screen),
		...extra,
	});
	return {result, screen};
}

/** The live part of a frame: from the header's title line down (the <Static> history is above it). */
export function liveLines(frame: string, title = 'Stage 11: community membership and profile activity'): string[] {
	const lines = frame.split('\n');
	return lines.slice(lines.lastIndexOf(title));
}
