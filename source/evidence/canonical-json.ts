import {createHash} from 'node:crypto';

// Canonical JSON (sorted keys, no whitespace) and sha256: what the event chain and the manifest hash.

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

export function sha256Hex(content: string | Uint8Array): string {
	return createHash('sha256').update(content).digest('hex');
}

export const zeroHash = '0'.repeat(64);
