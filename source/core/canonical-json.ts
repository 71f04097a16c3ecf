import {hash} from 'node:crypto';

// Canonical JSON (sorted keys, no whitespace) and the hashes over it: row hashes, parameter hashes, the evidence's
// event chain and manifest all use these, so equal values always hash alike.

/** A deep copy with object keys sorted; `undefined` members dropped as JSON.stringify would. */
export function sortKeys(value: unknown): unknown {
	if (Array.isArray(value)) {
		return value.map(item => sortKeys(item === undefined ? null : item));
	}

	if (value && typeof value === 'object' && !(value instanceof Date)) {
		const source = typeof (value as {toJSON?: unknown}).toJSON === 'function' ? (value as {toJSON: () => unknown}).toJSON() : value;
		if (source !== value) {
			return sortKeys(source);
		}

		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, item]) => item !== undefined && typeof item !== 'function')
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return Object.fromEntries(entries.map(([key, item]) => [key, sortKeys(item)]));
	}

	if (value instanceof Date) {
		return value.toISOString();
	}

	if (typeof value === 'bigint') {
		return value.toString();
	}

	return value;
}

export function canonicalJson(value: unknown): string {
	return JSON.stringify(sortKeys(value)) ?? 'null';
}

// One-shot hashes: a batch hashes every row it writes, and crypto.hash skips the Hash object per call.
export function sha256(content: string | Uint8Array): string {
	return hash('sha256', content, 'hex');
}

export function sha1(text: string): string {
	return hash('sha1', text, 'hex');
}
