// Secrets never leave the process: passwords in URLs, bearer tokens, Sanctum tokens and webhook URLs (DESIGN.md §9).
const patterns: Array<[RegExp, string]> = [
	[/(\b[a-z][a-z\d+.-]*:\/\/[^:/@\s"']*:)[^@/\s"']+@/gi, '$1***@'],
	[/(Bearer\s+)[^\s"']+/gi, '$1***'],
	[/\b\d+\|[A-Za-z\d]{20,}\b/g, '***'],
	[/https?:\/\/hooks\.slack\.com\/[^\s"']+/gi, 'https://hooks.slack.com/***'],
];

const extra = new Set<string>();

/** Registers a value (a token, a webhook URL) that must be masked wherever it appears. */
export function registerSecret(value: string | undefined): void {
	if (value && value.length >= 6) {
		extra.add(value);
	}
}

export function redactSecrets(text: string): string {
	let result = text;
	for (const secret of extra) {
		result = result.split(secret).join('***');
	}

	for (const [pattern, replacement] of patterns) {
		result = result.replace(pattern, replacement);
	}

	return result;
}

/** Deep copy with every string redacted and secret-named keys masked. */
export function redactValue<T>(value: T): T {
	if (typeof value === 'string') {
		return redactSecrets(value) as T;
	}

	if (Array.isArray(value)) {
		return value.map(item => redactValue(item)) as T;
	}

	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([key, item]) => [key, /token|password|secret|webhook/i.test(key) && typeof item === 'string' && item !== '' ? '***' : redactValue(item)]),
		) as T;
	}

	return value;
}
