import {localSecondsSql, offsetIntervals, wallClock} from '../../core/app-time-zone.js';
import type {PlatformSettings} from '../../core/platform-settings.js';
import type {Dialect, Sql} from '../../db/sql.js';

// The platform's clock in SQL (DESIGN.md §2): timestamps are wall-clock text in the app's zone, and
// enrollments.entry_date is an instant in unix seconds. Comparing the two set-based means turning instants into
// "local seconds" (the wall clock read as if it were UTC), which the database then formats as text in the same way
// on SQLite and MariaDB, whatever the session's time zone.

/** The app zone's wall clock of an instant: what Laravel writes for `now()`. */
export function platformTime(settings: PlatformSettings, instant: Date): string {
	return wallClock(instant, settings.timeZone.zone);
}

/** Wall-clock text → its local seconds (SQLite reads text as UTC; MariaDB's TIMESTAMPDIFF ignores the session zone). */
export function textToLocalSecondsSql(dialect: Dialect, expression: string): string {
	return dialect === 'sqlite' ? `CAST(strftime('%s', ${expression}) AS INTEGER)` : `TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', ${expression})`;
}

/** Local seconds → 'YYYY-MM-DD HH:MM:SS' (MariaDB's FROM_UNIXTIME would shift by the session zone; DATE_ADD does not). */
export function localSecondsToTextSql(dialect: Dialect, expression: string): string {
	return dialect === 'sqlite' ? `strftime('%Y-%m-%d %H:%M:%S', ${expression}, 'unixepoch')` : `DATE_FORMAT(DATE_ADD('1970-01-01 00:00:00', INTERVAL ${expression} SECOND), '%Y-%m-%d %H:%i:%s')`;
}

/**
 * `enrollments.entry_date` (alias `e`) as local seconds, or NULL when it is missing: NULL or 0, or (SQLite, where the
 * platform sometimes stored a datetime string) text that does not parse. Text that parses is a wall clock already.
 * The offsets cover the data's own range, so a zone with daylight saving costs a few comparisons per row.
 */
export async function entryDateLocalSeconds(sql: Sql, settings: PlatformSettings, alias = 'e'): Promise<string> {
	const column = `${alias}.entry_date`;
	const numeric = sql.dialect === 'sqlite' ? `CASE WHEN typeof(${column}) IN ('integer', 'real') AND ${column} > 0 THEN CAST(${column} AS INTEGER) END` : `CASE WHEN ${column} > 0 THEN CAST(${column} AS SIGNED) END`;
	const range = await sql.get<{low: unknown; high: unknown}>(
		`SELECT MIN(entry_date) AS low, MAX(entry_date) AS high FROM enrollments WHERE ${sql.dialect === 'sqlite' ? "typeof(entry_date) IN ('integer', 'real') AND " : ''}entry_date > 0`,
	);
	const low = Number(range?.low ?? 0);
	const high = Number(range?.high ?? 0);
	const intervals = offsetIntervals(settings.timeZone.zone, low > 0 ? low : 0, Math.max(high, low, 1));
	const local = localSecondsSql(`(${numeric})`, intervals);
	if (sql.dialect === 'sqlite') {
		return `COALESCE(${local}, CASE WHEN typeof(${column}) = 'text' THEN ${textToLocalSecondsSql('sqlite', column)} END)`;
	}

	return local;
}
