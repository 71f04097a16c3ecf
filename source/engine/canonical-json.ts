import {createHash} from 'node:crypto';

/** JSON with sorted object keys, so equal values always hash alike. */
export function canonicalJson(value: unknown): string {
	return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
	if (Array.isArray(value)) {
		return value.map(item => sortKeys(item));
	}

	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.keys(value)
				.sort()
				.map(key => [key, sortKeys((value as Record<string, unknown>)[key])]),
		);
	}

	return value;
}

export function sha256(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

export function sha1(text: string): string {
	return createHash('sha1').update(text).digest('hex');
}
