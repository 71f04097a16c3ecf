import {sha256 as sha256Hex} from '../core/canonical-json.js';

// Short per-line hashes (8 hex chars per line, concatenated): the full sha256 proves a file changed, these say where.

const width = 8;

export function lineHashes(text: string, ignoreTrailingComma = false): string {
	return text
		.split('\n')
		.map(line => sha256Hex(ignoreTrailingComma ? line.replace(/,$/, '') : line).slice(0, width))
		.join('');
}

/** The 1-based first line whose hash differs from the recorded ones (undefined when all agree). */
export function firstChangedLine(text: string, recorded: string, ignoreTrailingComma = false): number | undefined {
	const current = lineHashes(text, ignoreTrailingComma);
	if (current === recorded) {
		return undefined;
	}

	const lines = Math.max(current.length, recorded.length) / width;
	for (let index = 0; index < lines; index++) {
		if (current.slice(index * width, (index + 1) * width) !== recorded.slice(index * width, (index + 1) * width)) {
			return index + 1;
		}
	}

	return undefined;
}
