// Dataset sizes and the fixed clock of the demo data (DESIGN.md §10 `demo`). Totals are exact per table; the
// hand-crafted nasty rows come first (ids 1..k) and the bulk rows fill the rest.

export const demoSizes = ['tiny', 'small', '1m'] as const;
export type DemoSize = (typeof demoSizes)[number];

export type SizeProfile = {
	/** Total rows of each table (hand-crafted + bulk). */
	readonly users: number;
	readonly courses: number;
	readonly communities: number;
	readonly enrollments: number;
	/** Bulk community_members on top of the hand-crafted ones. */
	readonly bulkMembers: number;
	readonly posts: number;
	readonly comments: number;
	readonly certificates: number;
};

export const sizeProfiles: Record<DemoSize, SizeProfile> = {
	tiny: {users: 40, courses: 16, communities: 12, enrollments: 300, bulkMembers: 40, posts: 60, comments: 150, certificates: 40},
	small: {users: 5000, courses: 120, communities: 24, enrollments: 100_000, bulkMembers: 4000, posts: 6000, comments: 18_000, certificates: 3000},
	'1m': {users: 20_000, courses: 500, communities: 60, enrollments: 1_000_000, bulkMembers: 20_000, posts: 50_000, comments: 150_000, certificates: 30_000},
};

const day = 86_400;

/** 2026-11-01 00:00:00 UTC: the fixed reference date; the "old" history is the two years before it. */
export const referenceUnix = Date.UTC(2026, 10, 1) / 1000;

export type DemoClock = {
	/** Seconds. History window: [oldStart, referenceUnix). */
	readonly reference: number;
	readonly oldStart: number;
	readonly oldSpan: number;
	/**
	 * Recent window [recentStart, recentEnd): 88 days ending 4 hours before `now` truncated to the UTC day, so rows
	 * offset by a few hours from their base time (published_at, deleted_at) are still in the past at midnight.
	 */
	readonly recentStart: number;
	readonly recentEnd: number;
	readonly recentSpan: number;
	/** Upper bound for generated activity times: max(recentEnd, reference). */
	readonly latest: number;
};

/**
 * Deterministic within a UTC day: everything depends on the fixed reference date and on `now` truncated to the day,
 * so migrate-legacy-activity's default `--since="-90 days"` finds plenty of rows the day the data was generated.
 */
export function demoClock(now: Date): DemoClock {
	const today = Math.floor(now.getTime() / 1000 / day) * day;
	const recentEnd = today - 4 * 3600;
	const recentSpan = 88 * day;
	const oldSpan = 730 * day;
	return {
		reference: referenceUnix,
		oldStart: referenceUnix - oldSpan,
		oldSpan,
		recentStart: recentEnd - recentSpan,
		recentEnd,
		recentSpan,
		latest: Math.max(recentEnd, referenceUnix),
	};
}

export const daySeconds = day;
