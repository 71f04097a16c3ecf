import {canonicalJson, sha256 as sha256Hex, sortKeys} from '../core/canonical-json.js';

const zeroHash = '0'.repeat(64);

// events.jsonl (DESIGN.md §9): one JSON object per line, each hashed over its canonical JSON without `hash` and
// chained to the previous line's hash. The line's bytes are fixed by `formatEventLine`, so verifying can demand
// byte equality: any changed byte is found, even one that leaves the JSON meaning intact.

export type EventLine = {
	readonly seq: number;
	readonly at: string;
	readonly step: string | null;
	readonly type: string;
	readonly data: unknown;
	readonly prev: string;
	readonly hash: string;
};

export function hashEvent(event: Omit<EventLine, 'hash'>): string {
	return sha256Hex(canonicalJson({seq: event.seq, at: event.at, step: event.step, type: event.type, data: event.data, prev: event.prev}));
}

/** Builds the next line of the chain; `data` is stored with sorted keys. */
export function chainEvent(previous: {seq: number; hash: string} | undefined, event: {at: string; step: string | null; type: string; data: unknown}): EventLine {
	const unsigned = {seq: (previous?.seq ?? 0) + 1, at: event.at, step: event.step, type: event.type, data: sortKeys(event.data ?? null), prev: previous?.hash ?? zeroHash};
	return {...unsigned, hash: hashEvent(unsigned)};
}

export function formatEventLine(event: EventLine): string {
	return JSON.stringify({seq: event.seq, at: event.at, step: event.step, type: event.type, data: sortKeys(event.data), prev: event.prev, hash: event.hash});
}

export type ChainProblem = {readonly line: number; readonly problem: string};
export type ChainCheck = {readonly events: EventLine[]; readonly problems: ChainProblem[]; readonly head: string};

/** Re-checks every line: JSON, exact bytes, seq continuity, prev link and hash. */
export function checkChain(text: string): ChainCheck {
	const problems: ChainProblem[] = [];
	const events: EventLine[] = [];
	if (text === '') {
		return {events, problems, head: zeroHash};
	}

	const lines = text.split('\n');
	if (lines.at(-1) === '') {
		lines.pop();
	} else {
		problems.push({line: lines.length, problem: 'the last line is not terminated (a partial or appended write)'});
	}

	let previousHash = zeroHash;
	let expectedSeq = 1;
	for (const [index, line] of lines.entries()) {
		const number = index + 1;
		const event = parseLine(line);
		if (!event) {
			problems.push({line: number, problem: 'not a valid event line (JSON with seq, at, step, type, data, prev, hash)'});
			previousHash = '';
			expectedSeq++;
			continue;
		}

		if (event.seq !== expectedSeq) {
			problems.push({line: number, problem: `seq ${event.seq} where ${expectedSeq} was expected (a line was removed, added or moved)`});
		} else if (previousHash !== '' && event.prev !== previousHash) {
			problems.push({line: number, problem: 'prev does not match the previous line\'s hash (a line was removed, added or changed)'});
		}

		if (hashEvent(event) !== event.hash) {
			problems.push({line: number, problem: 'hash does not match the line\'s content (the line was changed)'});
		} else if (formatEventLine(event) !== line) {
			problems.push({line: number, problem: 'the line\'s bytes differ from what was written (the line was edited)'});
		}

		events.push(event);
		previousHash = event.hash;
		expectedSeq = event.seq + 1;
	}

	return {events, problems, head: events.at(-1)?.hash ?? zeroHash};
}

export function parseLine(line: string): EventLine | undefined {
	let value: unknown;
	try {
		value = JSON.parse(line);
	} catch {
		return undefined;
	}

	if (!value || typeof value !== 'object' || Array.isArray(value)) {
		return undefined;
	}

	const event = value as Record<string, unknown>;
	const valid =
		Number.isSafeInteger(event.seq) &&
		typeof event.at === 'string' &&
		(event.step === null || typeof event.step === 'string') &&
		typeof event.type === 'string' &&
		'data' in event &&
		typeof event.prev === 'string' &&
		typeof event.hash === 'string';
	return valid ? (event as unknown as EventLine) : undefined;
}
