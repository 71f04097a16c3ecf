import type {AnyEvent} from '../engine/ports.js';

// ANSI escapes never belong in machine-read output.
const ansi = /\u001B\[[\d;]*m/g;

/** One JSON object per event (`--events=json`), on stderr so stdout keeps only the final document. */
export function createJsonLinesReporter(write: (line: string) => void, now: () => Date = () => new Date()): (event: AnyEvent) => void {
	return event => {
		write(JSON.stringify({at: now().toISOString(), ...event}).replace(ansi, ''));
	};
}
