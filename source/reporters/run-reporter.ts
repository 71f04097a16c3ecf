import type {RunEvent} from '../engine/runner-events.js';
import {createJsonLinesReporter} from './json-lines.js';
import {createPlainReporter} from './plain.js';

/** Picks the renderer of the event stream once (Gatsby's start-logger): plain lines, JSON lines, or nothing. */
export function createRunReporter(kind: 'plain' | 'json' | 'silent', write: (line: string) => void): (event: RunEvent) => void {
	if (kind === 'silent') {
		return () => {};
	}

	const reporter = kind === 'json' ? createJsonLinesReporter(write) : createPlainReporter(write);
	return event => {
		// The run-started event carries every step; the plain reporter prints one line, not the list.
		if (kind === 'plain' && event.type === 'run-started') {
			write(`[run] run-started run_id=${event.runId} resumed=${event.resumed} evidence_dir=${event.evidenceDir} steps=${event.steps.length}`);
			return;
		}

		if (kind === 'plain' && event.type === 'awaiting-approval') {
			return;
		}

		reporter(event);
	};
}
