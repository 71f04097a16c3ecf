// Small text helpers shared by the components. Pure functions: no Ink, no React.

/** "members_created" → "Members Created" (DESIGN.md §3: headline-case labels). */
export function headline(key: string): string {
	return key
		.split('_')
		.map(word => (word === '' ? word : word[0]!.toUpperCase() + word.slice(1)))
		.join(' ');
}

/** 1234567 → "1,234,567" (same on every locale, so tests and screenshots agree). */
export function formatCount(value: number): string {
	const rounded = Math.round(value);
	const sign = rounded < 0 ? '-' : '';
	return sign + String(Math.abs(rounded)).replaceAll(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 950 → "0.9 s", 75_000 → "1:15", 4_000_000 → "1:06:40". */
export function formatDuration(ms: number): string {
	if (ms < 10_000) {
		return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
	}

	const total = Math.round(ms / 1000);
	const hours = Math.floor(total / 3600);
	const minutes = Math.floor((total % 3600) / 60);
	const seconds = String(total % 60).padStart(2, '0');
	return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** Cuts text to `width` columns, ending with "…" when cut. */
export function truncate(text: string, width: number): string {
	if (width <= 0) {
		return '';
	}

	return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * The 2–3 figures worth showing on a finished step's line: the runbook's key metrics when the engine sends them,
 * otherwise the non-zero metrics in the job's own order (or the first ones when everything is zero).
 */
export function pickKeyFigures(metrics: Readonly<Record<string, number>>, preferred: readonly string[] = [], limit = 3): Array<[string, number]> {
	const entries = Object.entries(metrics);
	const chosen = preferred.filter(key => key in metrics).map(key => [key, metrics[key]!] as [string, number]);
	const nonZero = entries.filter(([key, value]) => value !== 0 && !preferred.includes(key));
	const rest = entries.filter(([key, value]) => value === 0 && !preferred.includes(key));
	return [...chosen, ...nonZero, ...rest].slice(0, limit);
}

/** "members_created 12, members_updated 3" style summary with headline labels in lower case: "12 members created". */
export function describeFigures(figures: ReadonlyArray<[string, number]>): string {
	return figures.map(([key, value]) => `${formatCount(value)} ${key.replaceAll('_', ' ')}`).join(' · ');
}
