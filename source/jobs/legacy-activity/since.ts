import parseDuration from 'parse-duration';
import {instantOf, wallClock} from '../../core/app-time-zone.js';
import {isoSeconds} from '../../core/timestamps.js';

// `--since` of migrate-legacy-activity (DESIGN.md §3.3): an ISO-8601 date or datetime, or a relative time that is
// resolved ONCE against the run's start and recorded as an absolute time. Both read in the platform's time zone
// (§2): a date or datetime without a zone is the platform's wall clock, and "-90 days" is 90 calendar days back on
// its calendar (a daylight-saving change in between does not move the time of day).

export const sinceUnits = ['minute', 'hour', 'day', 'week', 'month', 'year'] as const;
export type SinceUnit = (typeof sinceUnits)[number];

export type SinceSpec =
	/** An instant: the text named its zone (Z or ±hh:mm). */
	| {readonly kind: 'absolute'; readonly at: string}
	/** A wall clock in the platform's zone, 'YYYY-MM-DD HH:MM:SS': the text named no zone. */
	| {readonly kind: 'local'; readonly at: string}
	| {readonly kind: 'relative'; readonly amount: number; readonly unit: SinceUnit};

export const sinceForms =
	'an ISO-8601 date or datetime (2025-08-01, 2025-08-01T10:00:00Z, "2025-08-01 10:00:00") or a relative time ("-90 days", "90 days ago"; units minute, hour, day, week, month, year)';

const relativePattern = /^(?:-\s*(\d{1,6})\s*([a-z]+)|(\d{1,6})\s*([a-z]+)\s+ago)$/i;
const isoPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

export type SinceParse = {readonly ok: true; readonly spec: SinceSpec} | {readonly ok: false; readonly reason: string};

/** Parses the operator's text; never resolves a relative time (that needs the run's start). */
export function parseSince(input: string): SinceParse {
	const text = input.trim();
	const relative = relativePattern.exec(text);
	if (relative) {
		const amount = Number(relative[1] ?? relative[3]);
		const unit = unitOf(relative[2] ?? relative[4]!);
		if (!unit) {
			return {ok: false, reason: `"${input}" has an unknown unit`};
		}

		const spec: SinceSpec = {kind: 'relative', amount, unit};
		return Number.isNaN(resolveSince(spec, new Date()).getTime()) ? {ok: false, reason: `"${input}" reaches too far back`} : {ok: true, spec};
	}

	const iso = isoPattern.exec(text);
	if (iso) {
		const at = absoluteOf(iso);
		if (!at) {
			return {ok: false, reason: `"${input}" is not a valid calendar date or time`};
		}

		return {ok: true, spec: iso[8] ? {kind: 'absolute', at} : {kind: 'local', at: at.slice(0, 19).replace('T', ' ')}};
	}

	return {ok: false, reason: `"${input}" is not a date or a relative time`};
}

/** The instant a since stands for in `zone`; a relative one counts back from `start` (whole seconds). */
export function resolveSince(spec: SinceSpec, start: Date, zone = 'UTC'): Date {
	if (spec.kind === 'absolute') {
		return new Date(spec.at);
	}

	if (spec.kind === 'local') {
		return instantOf(spec.at, zone);
	}

	const base = new Date(Math.floor(start.getTime() / 1000) * 1000);
	const milliseconds = parseDuration(`${spec.amount} ${spec.unit}`);
	if (milliseconds === null) {
		throw new Error(`parse-duration cannot read "${spec.amount} ${spec.unit}".`);
	}

	if (spec.unit === 'minute' || spec.unit === 'hour') {
		return new Date(base.getTime() - milliseconds);
	}

	// Days and longer count on the platform's calendar: the wall clock read as UTC, moved, and read back in the zone.
	const local = new Date(`${wallClock(base, zone).replace(' ', 'T')}Z`);
	const moved = spec.unit === 'month' || spec.unit === 'year' ? subtractMonths(local, spec.unit === 'year' ? spec.amount * 12 : spec.amount) : new Date(local.getTime() - milliseconds);
	return Number.isNaN(moved.getTime()) ? moved : instantOf(moved.toISOString().slice(0, 19), zone);
}

function unitOf(word: string): SinceUnit | undefined {
	const lower = word.toLowerCase();
	const singular = lower.endsWith('s') ? lower.slice(0, -1) : lower;
	return sinceUnits.find(unit => unit === singular);
}

/** Calendar months back, keeping the time of day; the day is clamped to the target month (Mar 31 − 1 month → Feb 28/29). */
function subtractMonths(date: Date, months: number): Date {
	const total = date.getUTCFullYear() * 12 + date.getUTCMonth() - months;
	const year = Math.floor(total / 12);
	const month = total - year * 12;
	const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
	const result = new Date(date.getTime());
	result.setUTCFullYear(year, month, day);
	return result;
}

function daysInMonth(year: number, month: number): number {
	return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** Validated ISO text → 'YYYY-MM-DDTHH:MM:SSZ' (UTC); a fraction rounds up to the next whole second. */
function absoluteOf(match: RegExpExecArray): string | undefined {
	const [, y, mo, d, h = '0', mi = '0', s = '0', fraction, zone] = match;
	const year = Number(y);
	const month = Number(mo) - 1;
	const day = Number(d);
	const hour = Number(h);
	const minute = Number(mi);
	const second = Number(s);
	if (month < 0 || month > 11 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
		return undefined;
	}

	let offsetMinutes = 0;
	if (zone && zone.toUpperCase() !== 'Z') {
		const digits = zone.slice(1).replace(':', '');
		const offsetHours = Number(digits.slice(0, 2));
		const offsetRest = digits.length > 2 ? Number(digits.slice(2)) : 0;
		if (offsetHours > 14 || offsetRest > 59) {
			return undefined;
		}

		offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetRest);
	}

	const roundUp = fraction !== undefined && /[1-9]/.test(fraction) ? 1 : 0;
	const date = new Date(0);
	date.setUTCFullYear(year, month, day);
	date.setUTCHours(hour, minute, second + roundUp, 0);
	date.setTime(date.getTime() - offsetMinutes * 60_000);
	if (Number.isNaN(date.getTime())) {
		return undefined;
	}

	return isoSeconds(date);
}
