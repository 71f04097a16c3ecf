import {UsageError} from './errors.js';
import type {AppEnvironment} from './app-environment.js';

// The platform's clock (DESIGN.md §2): Laravel writes wall-clock time in config('app.timezone'), so every timestamp
// the tool writes or compares is that zone's wall clock, with the zone's own DST rules (from Intl, i.e. ICU's tzdata).

export type AppTimeZone = {readonly zone: string; readonly source: string};

/** --app-timezone, else APP_TIMEZONE (environment or .env), else config/app.php, else UTC. An empty value counts as unset. */
export function resolveAppTimeZone(input: {readonly flag?: string; readonly appEnvironment?: AppEnvironment; readonly configTimeZone?: string}): AppTimeZone {
	const fromEnvironment = input.appEnvironment?.get('APP_TIMEZONE');
	const candidates: Array<[string | undefined, string, string]> = [
		[input.flag, '--app-timezone', 'Pass --app-timezone with an IANA zone name such as Europe/Berlin or UTC.'],
		[fromEnvironment, `APP_TIMEZONE in ${describeSource(input.appEnvironment?.sourceOf('APP_TIMEZONE'))}`, 'Fix APP_TIMEZONE, or override it with --app-timezone=<zone> (an IANA name such as Europe/Berlin).'],
		[input.configTimeZone, "'timezone' in config/app.php", "Fix 'timezone' in config/app.php, or override it with --app-timezone=<zone>."],
	];
	for (const [zone, source, fix] of candidates) {
		if (zone !== undefined && zone.trim() !== '') {
			return {zone: canonicalZone(zone.trim(), source, fix), source};
		}
	}

	return {zone: 'UTC', source: 'default (UTC)'};
}

function describeSource(source: string | undefined): string {
	return source === undefined || source === 'environment' ? 'the environment' : source;
}

function canonicalZone(zone: string, source: string, fix: string): string {
	try {
		return new Intl.DateTimeFormat(undefined, {timeZone: zone}).resolvedOptions().timeZone;
	} catch {
		throw new UsageError(`Unknown time zone "${zone}" (from ${source}).`, {hint: fix});
	}
}

/** Formatters are costly to build: one per zone, reused for every row. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
	let formatter = formatters.get(zone);
	if (!formatter) {
		formatter = new Intl.DateTimeFormat('en-US', {
			timeZone: zone,
			hourCycle: 'h23',
			era: 'short',
			year: 'numeric',
			month: 'numeric',
			day: 'numeric',
			hour: 'numeric',
			minute: 'numeric',
			second: 'numeric',
		});
		formatters.set(zone, formatter);
	}

	return formatter;
}

/** The zone's UTC offset, in seconds, at a unix second, straight from Intl (no cache). */
export function offsetAt(zone: string, unixSeconds: number): number {
	const parts: Record<string, string> = {};
	for (const {type, value} of formatterFor(zone).formatToParts(unixSeconds * 1000)) {
		parts[type] = value;
	}

	const year = parts.era === 'BC' || parts.era === 'B' ? 1 - Number(parts.year) : Number(parts.year);
	return utcSeconds(year, Number(parts.month), Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) - unixSeconds;
}

// Per-zone cache of offsets by UTC hour. An hour is cached only when its first and last second agree: transitions
// fall on whole or half hours in current rules, but historic ones (LMT) fall on any second, and those are computed.
const offsetCache = new Map<string, Map<number, number | null>>();
const maximumCachedHours = 200_000;

function cachedOffset(zone: string, unixSeconds: number): number {
	let hours = offsetCache.get(zone);
	if (!hours) {
		hours = new Map();
		offsetCache.set(zone, hours);
	}

	const hour = Math.floor(unixSeconds / 3600);
	let offset = hours.get(hour);
	if (offset === undefined) {
		const first = offsetAt(zone, hour * 3600);
		offset = first === offsetAt(zone, (hour * 3600) + 3599) ? first : null;
		if (hours.size >= maximumCachedHours) {
			hours.clear();
		}

		hours.set(hour, offset);
	}

	return offset ?? offsetAt(zone, unixSeconds);
}

/** 'YYYY-MM-DD HH:MM:SS' of an instant on the zone's wall clock (whole seconds, truncated). */
export function wallClock(instant: Date, zone: string): string {
	const seconds = Math.floor(instant.getTime() / 1000);
	return formatLocalSeconds(seconds + cachedOffset(zone, seconds));
}

const twoDigits = Array.from({length: 100}, (_, number) => String(number).padStart(2, '0'));

/**
 * Seconds since 1970-01-01 00:00 on a wall clock → its text, by integer arithmetic (Hinnant's civil_from_days):
 * called per row, and five times faster than Date#toISOString, which measured 1.4 µs a call.
 */
function formatLocalSeconds(localSeconds: number): string {
	const days = Math.floor(localSeconds / 86_400);
	const secondOfDay = localSeconds - (days * 86_400);
	const shifted = days + 719_468;
	const era = Math.floor(shifted / 146_097);
	const dayOfEra = shifted - (era * 146_097);
	const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
	const dayOfYear = dayOfEra - ((365 * yearOfEra) + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
	const monthFromMarch = Math.floor(((5 * dayOfYear) + 2) / 153);
	const day = dayOfYear - Math.floor(((153 * monthFromMarch) + 2) / 5) + 1;
	const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
	const year = yearOfEra + (era * 400) + (month <= 2 ? 1 : 0);
	const hour = Math.floor(secondOfDay / 3600);
	const minute = Math.floor((secondOfDay % 3600) / 60);
	return `${year >= 1000 ? year : String(year).padStart(4, '0')}-${twoDigits[month]}-${twoDigits[day]} ${twoDigits[hour]}:${twoDigits[minute]}:${twoDigits[secondOfDay % 60]}`;
}

const wallClockPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * The instant a wall-clock text names in the zone ('YYYY-MM-DD', 'YYYY-MM-DD HH:MM', 'YYYY-MM-DD HH:MM:SS', 'T' or a
 * space between). As PHP/Carbon resolve the two ambiguous cases: a time inside a spring-forward gap moves forward by
 * the gap (02:30 on Berlin's spring-forward night is 03:30 CEST); a time inside a fall-back overlap is the earlier
 * of its two instants. Throws UsageError for text that is not such a date-time, or a day that does not exist.
 */
export function instantOf(wallClockText: string, zone: string): Date {
	const local = localSeconds(wallClockText.trim());
	const before = cachedOffset(zone, local - 86_400);
	const candidates = new Set([before, cachedOffset(zone, local), cachedOffset(zone, local + 86_400)]);
	let earliest: number | undefined;
	for (const offset of candidates) {
		const instant = local - offset;
		if (cachedOffset(zone, instant) === offset && (earliest === undefined || instant < earliest)) {
			earliest = instant;
		}
	}

	// No offset maps back to this wall clock: it is in a gap; reading it with the offset in force before the gap
	// lands as far past the transition as the time was past the gap's start, which is PHP's forward move.
	return new Date((earliest ?? local - before) * 1000);
}

function localSeconds(text: string): number {
	const match = wallClockPattern.exec(text);
	const [year, month, day, hour, minute, second] = (match?.slice(1) ?? []).map(part => Number(part ?? 0));
	const seconds = match ? utcSeconds(year!, month!, day!, hour!, minute!, second!) : Number.NaN;
	const valid = match && month! >= 1 && month! <= 12 && hour! <= 23 && minute! <= 59 && second! <= 59 && new Date(seconds * 1000).getUTCDate() === day;
	if (!valid) {
		throw new UsageError(`"${text}" is not a date-time.`, {hint: 'Write it as YYYY-MM-DD, YYYY-MM-DD HH:MM or YYYY-MM-DD HH:MM:SS, in the platform\'s time zone.'});
	}

	return seconds;
}

/** Date.UTC, without its mapping of years 0–99 to 1900–1999. */
function utcSeconds(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
	const date = new Date(0);
	date.setUTCFullYear(year, month - 1, day);
	date.setUTCHours(hour, minute, second);
	return date.getTime() / 1000;
}

export type OffsetInterval = {readonly from: number; readonly to: number; readonly offsetSeconds: number};

// Probing every 6 hours finds every transition unless two of them fall within 6 hours of each other, which no
// zone's rules have done; each change found is then bisected to the exact second.
const probeStepSeconds = 6 * 3600;

/**
 * The zone's UTC offsets over [fromSeconds, toSeconds] (unix seconds, both ends included) as contiguous intervals:
 * each `from`..`to` inclusive, the next starting at `to + 1`, the first at fromSeconds and the last ending at toSeconds.
 */
export function offsetIntervals(zone: string, fromSeconds: number, toSeconds: number): OffsetInterval[] {
	const from = Math.floor(fromSeconds);
	const to = Math.floor(toSeconds);
	if (!(from <= to)) {
		throw new RangeError(`offsetIntervals: the range ${fromSeconds}..${toSeconds} is empty.`);
	}

	const intervals: OffsetInterval[] = [];
	let start = from;
	let offset = offsetAt(zone, from);
	let probe = from;
	while (probe < to) {
		const next = Math.min(probe + probeStepSeconds, to);
		if (offsetAt(zone, next) === offset) {
			probe = next;
			continue;
		}

		// offsetAt(low) is the current offset, offsetAt(high) is not: narrow down to adjacent seconds.
		let low = probe;
		let high = next;
		while (high - low > 1) {
			const middle = Math.floor((low + high) / 2);
			if (offsetAt(zone, middle) === offset) {
				low = middle;
			} else {
				high = middle;
			}
		}

		intervals.push({from: start, to: high - 1, offsetSeconds: offset});
		start = high;
		offset = offsetAt(zone, high);
		probe = high;
	}

	intervals.push({from: start, to, offsetSeconds: offset});
	return intervals;
}

/**
 * Portable SQL (CASE / WHEN / < / +) for `expression + <the zone's offset at that unix second>`, i.e. the local
 * wall clock in seconds, for set-based conversion. The CASE is a balanced binary tree over the interval boundaries,
 * so a row costs O(log n) comparisons; values outside the intervals take the first or last interval's offset.
 * `expression` is repeated at every node: pass a column or another cheap, deterministic expression. On MySQL an
 * UNSIGNED column plus a negative offset is an out-of-range error when the sum is negative (values before 1970-01-02).
 */
export function localSecondsSql(expression: string, intervals: readonly OffsetInterval[]): string {
	if (intervals.length === 0) {
		throw new RangeError('localSecondsSql needs at least one interval.');
	}

	const offsetTree = (low: number, high: number): string => {
		if (low === high) {
			return String(intervals[low]!.offsetSeconds);
		}

		const middle = Math.floor((low + high + 1) / 2);
		return `CASE WHEN ${expression} < ${intervals[middle]!.from} THEN ${offsetTree(low, middle - 1)} ELSE ${offsetTree(middle, high)} END`;
	};

	if (intervals.length === 1) {
		const offset = intervals[0]!.offsetSeconds;
		return offset === 0 ? expression : `(${expression} + ${offset})`;
	}

	return `(${expression} + ${offsetTree(0, intervals.length - 1)})`;
}
