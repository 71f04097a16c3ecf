/** 'YYYY-MM-DD HH:MM:SS' in UTC: how both dialects store platform timestamps (DESIGN.md §2). */
export function formatTimestamp(date: Date): string {
	return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** 'YYYY-MM-DD HH:MM:SS' (UTC) → Date. */
export function parseTimestamp(value: string): Date {
	return new Date(`${value.replace(' ', 'T')}Z`);
}

/** ISO-8601 UTC without milliseconds: 2026-11-25T19:12:00Z. */
export function isoSeconds(date: Date): string {
	return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
