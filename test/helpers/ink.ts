import {EventEmitter} from 'node:events';
import {stripVTControlCharacters} from 'node:util';
import {render, type Instance} from 'ink';
import type {ReactElement} from 'react';

// Fake terminal streams for Ink, like ink-testing-library's but with a chosen size (its stdout is always 100 columns).

export class FakeStdout extends EventEmitter {
	readonly frames: string[] = [];
	constructor(public columns = 100, public rows = 40) {
		super();
	}

	write = (frame: string): boolean => {
		this.frames.push(frame);
		return true;
	};

	lastFrame = (): string => this.frames.at(-1) ?? '';

	resize(columns: number, rows: number): void {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

export class FakeStdin extends EventEmitter {
	isTTY = true;
	private data: string | null = null;
	write = (data: string): void => {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	};

	read = (): string | null => {
		const {data} = this;
		this.data = null;
		return data;
	};

	setEncoding(): void {}
	setRawMode(): void {}
	resume(): void {}
	pause(): void {}
	ref(): void {}
	unref(): void {}
}

const mounted: Instance[] = [];

export type SizedRender = {readonly stdout: FakeStdout; readonly stdin: FakeStdin; readonly lastFrame: () => string; readonly instance: Instance};

/** Renders at a given terminal size in Ink's debug mode (each frame written whole, <Static> history included). */
export function renderSized(tree: ReactElement, size: {columns: number; rows: number}): SizedRender {
	const stdout = new FakeStdout(size.columns, size.rows);
	const stdin = new FakeStdin();
	const instance = render(tree, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		stderr: new FakeStdout() as unknown as NodeJS.WriteStream,
		debug: true,
		exitOnCtrlC: false,
		patchConsole: false,
	});
	mounted.push(instance);
	return {stdout, stdin, lastFrame: () => plain(stdout.lastFrame()), instance};
}

export function cleanupSized(): void {
	for (const instance of mounted.splice(0)) {
		instance.unmount();
		instance.cleanup();
	}
}

/** ANSI stripped, for layout checks. */
export function plain(frame: string | undefined): string {
	return stripVTControlCharacters(frame ?? '');
}

/**
 * Polls the latest frame until `predicate` holds (no fixed sleeps); fails with the last frame after `timeoutMs`.
 * Once it holds, lets React run the passive effects of that render (Ink's legacy root defers them to a scheduler
 * task), so the `useInput` handlers of what is on screen are listening before the test types the next key.
 */
export async function waitForFrame(lastFrame: () => string | undefined, predicate: (frame: string) => boolean, timeoutMs = 10_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const frame = plain(lastFrame());
		if (predicate(frame)) {
			await settle();
			return frame;
		}

		if (Date.now() > deadline) {
			throw new Error(`waitForFrame: timed out after ${timeoutMs} ms. Last frame:\n${frame}`);
		}

		await new Promise(resolve => {
			setTimeout(resolve, 10);
		});
	}
}

/** Two event-loop turns: enough for React's scheduled passive effects (useInput subscriptions) to run. */
export async function settle(): Promise<void> {
	for (let turn = 0; turn < 3; turn++) {
		await new Promise(resolve => {
			setImmediate(resolve);
		});
	}
}

/** Widest line of a frame, in characters (the frames drawn here are single-width text). */
export function widestLine(frame: string): number {
	return Math.max(0, ...plain(frame).split('\n').map(line => [...line].length));
}

export const keys = {enter: '\r', escape: '\u001B', ctrlC: '\u0003', backspace: '\u007F', down: '\u001B[B', up: '\u001B[A'} as const;

/** The frame as one line (wrapped text joined), for checking sentences whatever the width. */
export function flat(frame: string): string {
	return plain(frame).split('\n').map(line => line.trim()).join(' ');
}
