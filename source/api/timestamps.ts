// Database timestamps are 'YYYY-MM-DD HH:MM:SS' strings in UTC on both dialects (DESIGN.md §2). The API answers
// ISO-8601 UTC to the second with a `Z` (`2026-01-02T03:04:05Z`); DESIGN.md is silent on the format, this is ours.
const databaseFormat = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?Z?$/;

/** A database timestamp as a Date; undefined when unreadable. */
export function parseDatabaseTimestamp(value: unknown): Date | undefined {
	if (value instanceof Date) {
		return Number.isNaN(value.getTime()) ? undefined : value;
	}

	if (typeof value !== 'string' || value === '') {
		return undefined;
	}

	const match = databaseFormat.exec(value);
	const time = match ? Date.parse(`${match[1]}T${match[2]}Z`) : Date.parse(value);
	return Number.isNaN(time) ? undefined : new Date(time);
}

/** '2026-01-02 03:04:05' → '2026-01-02T03:04:05Z'. Other readable values are converted; unreadable ones kept as text. */
export function isoUtc(value: unknown): string {
	if (typeof value === 'string') {
		const match = databaseFormat.exec(value);
		if (match) {
			return `${match[1]}T${match[2]}Z`;
		}
	}

	const date = parseDatabaseTimestamp(value);
	return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : String(value);
}
