import test from 'ava';
import type {AppEnvironment} from '../../source/core/app-environment.js';
import {instantOf, localSecondsSql, offsetAt, offsetIntervals, resolveAppTimeZone, wallClock} from '../../source/core/app-time-zone.js';
import {UsageError} from '../../source/core/errors.js';
import {testEachDialect} from '../helpers/databases.js';

const at = (iso: string) => new Date(iso);
const unix = (iso: string) => Date.parse(iso) / 1000;

function environmentOf(values: Record<string, string>, source: string): AppEnvironment {
	return {get: name => values[name], sourceOf: name => (name in values ? source : undefined)};
}

test('resolveAppTimeZone: flag, then APP_TIMEZONE, then config/app.php, then UTC', t => {
	const environment = environmentOf({APP_TIMEZONE: 'Asia/Dhaka'}, '/srv/app/.env');
	t.deepEqual(resolveAppTimeZone({flag: 'Europe/Berlin', appEnvironment: environment, configTimeZone: 'America/New_York'}), {zone: 'Europe/Berlin', source: '--app-timezone'});
	t.deepEqual(resolveAppTimeZone({appEnvironment: environment, configTimeZone: 'America/New_York'}), {zone: 'Asia/Dhaka', source: 'APP_TIMEZONE in /srv/app/.env'});
	t.deepEqual(resolveAppTimeZone({appEnvironment: environmentOf({APP_TIMEZONE: 'Asia/Dhaka'}, 'environment')}), {zone: 'Asia/Dhaka', source: 'APP_TIMEZONE in the environment'});
	t.deepEqual(resolveAppTimeZone({appEnvironment: environmentOf({APP_TIMEZONE: ''}, 'environment'), configTimeZone: 'America/New_York'}), {zone: 'America/New_York', source: "'timezone' in config/app.php"});
	t.deepEqual(resolveAppTimeZone({}), {zone: 'UTC', source: 'default (UTC)'});
	t.is(resolveAppTimeZone({flag: 'europe/berlin'}).zone, 'Europe/Berlin', 'canonical spelling');
});

test('an unknown zone is a usage error naming where it came from and the fix', t => {
	const fromFlag = t.throws(() => resolveAppTimeZone({flag: 'Mars/Olympus'}), {instanceOf: UsageError});
	t.is(fromFlag!.message, 'Unknown time zone "Mars/Olympus" (from --app-timezone).');
	t.regex(fromFlag!.hint!, /--app-timezone/);
	const fromFile = t.throws(() => resolveAppTimeZone({appEnvironment: environmentOf({APP_TIMEZONE: 'Dhaka'}, '/srv/app/.env')}), {instanceOf: UsageError});
	t.is(fromFile!.message, 'Unknown time zone "Dhaka" (from APP_TIMEZONE in /srv/app/.env).');
	t.is(fromFile!.exitCode, 2);
	const fromConfig = t.throws(() => resolveAppTimeZone({configTimeZone: 'Nowhere/Land'}), {instanceOf: UsageError});
	t.is(fromConfig!.message, 'Unknown time zone "Nowhere/Land" (from \'timezone\' in config/app.php).');
});

test('wallClock: Asia/Dhaka is +06:00, and +07:00 during its 2009 DST', t => {
	t.is(wallClock(at('2025-01-15T18:30:00Z'), 'Asia/Dhaka'), '2025-01-16 00:30:00');
	t.is(wallClock(at('2009-07-01T00:00:00Z'), 'Asia/Dhaka'), '2009-07-01 07:00:00');
	t.is(wallClock(at('2009-06-19T16:59:59Z'), 'Asia/Dhaka'), '2009-06-19 22:59:59');
	t.is(wallClock(at('2009-06-19T17:00:00Z'), 'Asia/Dhaka'), '2009-06-20 00:00:00');
	t.is(wallClock(at('2025-06-15T12:00:00.999Z'), 'UTC'), '2025-06-15 12:00:00', 'milliseconds are truncated');
});

test('wallClock: Europe/Berlin and America/New_York across both DST transitions', t => {
	t.is(wallClock(at('2025-03-30T00:59:59Z'), 'Europe/Berlin'), '2025-03-30 01:59:59');
	t.is(wallClock(at('2025-03-30T01:00:00Z'), 'Europe/Berlin'), '2025-03-30 03:00:00');
	t.is(wallClock(at('2025-10-26T00:59:59Z'), 'Europe/Berlin'), '2025-10-26 02:59:59');
	t.is(wallClock(at('2025-10-26T01:00:00Z'), 'Europe/Berlin'), '2025-10-26 02:00:00');
	t.is(wallClock(at('2025-03-09T06:59:59Z'), 'America/New_York'), '2025-03-09 01:59:59');
	t.is(wallClock(at('2025-03-09T07:00:00Z'), 'America/New_York'), '2025-03-09 03:00:00');
	t.is(wallClock(at('2025-11-02T05:59:59Z'), 'America/New_York'), '2025-11-02 01:59:59');
	t.is(wallClock(at('2025-11-02T06:00:00Z'), 'America/New_York'), '2025-11-02 01:00:00');
	t.is(wallClock(at('1969-12-31T23:00:00Z'), 'Asia/Dhaka'), '1970-01-01 05:00:00', 'before the epoch');
});

test('wallClock in UTC agrees with Date#toISOString from year 0100 to 2400, before and after the epoch', t => {
	let mismatches = 0;
	for (let milliseconds = Date.parse('0100-01-01T00:00:00Z'); milliseconds < Date.parse('2400-01-01T00:00:00Z'); milliseconds += 86_400_000 * 37.123_457) {
		const instant = new Date(Math.floor(milliseconds / 1000) * 1000);
		const iso = instant.toISOString();
		mismatches += wallClock(instant, 'UTC') === `${iso.slice(0, 10)} ${iso.slice(11, 19)}` ? 0 : 1;
	}

	t.is(mismatches, 0);
	t.is(wallClock(at('2024-02-29T23:59:59Z'), 'UTC'), '2024-02-29 23:59:59');
	t.is(wallClock(at('2000-03-01T00:00:00Z'), 'UTC'), '2000-03-01 00:00:00');
});

test('instantOf: accepted forms, and invalid text or days are usage errors', t => {
	t.deepEqual(instantOf('2025-01-15', 'Asia/Dhaka'), at('2025-01-14T18:00:00Z'));
	t.deepEqual(instantOf('2025-01-15 06:30', 'Asia/Dhaka'), at('2025-01-15T00:30:00Z'));
	t.deepEqual(instantOf('2025-01-15 06:30:15', 'Asia/Dhaka'), at('2025-01-15T00:30:15Z'));
	t.deepEqual(instantOf('2025-01-15T06:30:15', 'Asia/Dhaka'), at('2025-01-15T00:30:15Z'));
	for (const bad of ['2025-02-30', '2025-13-01', '2025-01-15 24:00', '15/01/2025', '2025-01-15 06:30:15Z', '']) {
		t.throws(() => instantOf(bad, 'UTC'), {instanceOf: UsageError}, bad);
	}
});

test('instantOf: a spring-forward gap moves forward by the gap; a fall-back overlap takes the earlier instant', t => {
	t.deepEqual(instantOf('2025-03-30 02:30:00', 'Europe/Berlin'), at('2025-03-30T01:30:00Z'));
	t.is(wallClock(instantOf('2025-03-30 02:30:00', 'Europe/Berlin'), 'Europe/Berlin'), '2025-03-30 03:30:00');
	t.deepEqual(instantOf('2025-03-30 02:00:00', 'Europe/Berlin'), at('2025-03-30T01:00:00Z'));
	t.deepEqual(instantOf('2025-10-26 02:30:00', 'Europe/Berlin'), at('2025-10-26T00:30:00Z'));
	t.deepEqual(instantOf('2025-10-26 03:00:00', 'Europe/Berlin'), at('2025-10-26T02:00:00Z'));
	t.deepEqual(instantOf('2025-03-09 02:30', 'America/New_York'), at('2025-03-09T07:30:00Z'));
	t.deepEqual(instantOf('2025-11-02 01:30', 'America/New_York'), at('2025-11-02T05:30:00Z'));
	t.deepEqual(instantOf('2025-04-06 01:45', 'Australia/Lord_Howe'), at('2025-04-05T14:45:00Z'), 'earlier of the +11:00 / +10:30 pair');
	t.deepEqual(instantOf('2025-10-05 02:15', 'Australia/Lord_Howe'), at('2025-10-04T15:45:00Z'), 'the 30-minute gap: 02:15 → 02:45 +11:00');
});

test('wallClock and instantOf are inverse away from transitions', t => {
	let checked = 0;
	for (const zone of ['UTC', 'Asia/Dhaka', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu']) {
		for (let month = 1; month <= 12; month++) {
			const instant = at(`2024-${String(month).padStart(2, '0')}-15T12:34:56Z`);
			t.deepEqual(instantOf(wallClock(instant, zone), zone), instant, `${zone} ${instant.toISOString()}`);
			checked++;
		}
	}

	t.is(checked, 72);
	t.is(wallClock(at('2024-01-15T12:34:56Z'), 'Asia/Kathmandu'), '2024-01-15 18:19:56');
});

test('offsetIntervals finds each change to the second', t => {
	t.deepEqual(offsetIntervals('UTC', unix('2020-01-01T00:00:00Z'), unix('2026-01-01T00:00:00Z')), [{from: unix('2020-01-01T00:00:00Z'), to: unix('2026-01-01T00:00:00Z'), offsetSeconds: 0}]);
	t.deepEqual(offsetIntervals('Asia/Dhaka', unix('2009-01-01T00:00:00Z'), unix('2010-02-01T00:00:00Z')), [
		{from: unix('2009-01-01T00:00:00Z'), to: unix('2009-06-19T16:59:59Z'), offsetSeconds: 21_600},
		{from: unix('2009-06-19T17:00:00Z'), to: unix('2009-12-31T16:59:59Z'), offsetSeconds: 25_200},
		{from: unix('2009-12-31T17:00:00Z'), to: unix('2010-02-01T00:00:00Z'), offsetSeconds: 21_600},
	]);
	t.deepEqual(offsetIntervals('Europe/Berlin', unix('2025-01-01T00:00:00Z'), unix('2025-12-31T00:00:00Z')), [
		{from: unix('2025-01-01T00:00:00Z'), to: unix('2025-03-30T00:59:59Z'), offsetSeconds: 3600},
		{from: unix('2025-03-30T01:00:00Z'), to: unix('2025-10-26T00:59:59Z'), offsetSeconds: 7200},
		{from: unix('2025-10-26T01:00:00Z'), to: unix('2025-12-31T00:00:00Z'), offsetSeconds: 3600},
	]);
	t.deepEqual(offsetIntervals('America/New_York', unix('2025-01-01T00:00:00Z'), unix('2025-12-31T00:00:00Z')), [
		{from: unix('2025-01-01T00:00:00Z'), to: unix('2025-03-09T06:59:59Z'), offsetSeconds: -18_000},
		{from: unix('2025-03-09T07:00:00Z'), to: unix('2025-11-02T05:59:59Z'), offsetSeconds: -14_400},
		{from: unix('2025-11-02T06:00:00Z'), to: unix('2025-12-31T00:00:00Z'), offsetSeconds: -18_000},
	]);
	t.deepEqual(offsetIntervals('Australia/Lord_Howe', unix('2025-01-01T00:00:00Z'), unix('2025-12-31T00:00:00Z')), [
		{from: unix('2025-01-01T00:00:00Z'), to: unix('2025-04-05T14:59:59Z'), offsetSeconds: 39_600},
		{from: unix('2025-04-05T15:00:00Z'), to: unix('2025-10-04T15:29:59Z'), offsetSeconds: 37_800},
		{from: unix('2025-10-04T15:30:00Z'), to: unix('2025-12-31T00:00:00Z'), offsetSeconds: 39_600},
	]);
	t.is(offsetAt('Australia/Lord_Howe', unix('2025-07-01T00:00:00Z')), 37_800);
});

test('localSecondsSql: one interval is the expression itself or plus a constant; several make a balanced CASE', t => {
	t.is(localSecondsSql('e.entry_date', [{from: 0, to: 10, offsetSeconds: 0}]), 'e.entry_date');
	t.is(localSecondsSql('e.entry_date', [{from: 0, to: 10, offsetSeconds: 21_600}]), '(e.entry_date + 21600)');
	const three = [{from: 0, to: 99, offsetSeconds: 1}, {from: 100, to: 199, offsetSeconds: 2}, {from: 200, to: 299, offsetSeconds: 3}];
	t.is(localSecondsSql('x', three), '(x + CASE WHEN x < 100 THEN 1 ELSE CASE WHEN x < 200 THEN 2 ELSE 3 END END)');
	const intervals = offsetIntervals('Europe/Berlin', unix('2000-01-01T00:00:00Z'), unix('2030-01-01T00:00:00Z'));
	t.is(intervals.length, 61);
	let depth = 0;
	let deepest = 0;
	for (const keyword of localSecondsSql('x', intervals).match(/\b(CASE|END)\b/g)!) {
		depth += keyword === 'CASE' ? 1 : -1;
		deepest = Math.max(deepest, depth);
	}

	t.is(depth, 0);
	t.is(deepest, 6, 'ceil(log2(61)) nested CASEs, not 60');
});

const sqlZones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Dhaka', 'UTC'];
const sqlInstants = ['2009-06-19T16:59:59Z', '2009-06-19T17:00:00Z', '2009-12-31T16:59:59Z', '2009-12-31T17:00:00Z', '2025-03-09T06:59:59Z', '2025-03-09T07:00:00Z', '2025-03-30T00:59:59Z', '2025-03-30T01:00:00Z', '2025-04-05T14:59:59Z', '2025-04-05T15:00:00Z', '2025-10-26T00:59:59Z', '2025-10-26T01:00:00Z', '2025-11-02T06:00:00Z', '2025-12-31T23:59:59Z', '2001-01-01T00:00:00Z'];

testEachDialect('localSecondsSql evaluated by the database equals wallClock, for every row of a table', async (t, database) => {
	const {sql} = database;
	// Typed as enrollments.entry_date is: an unsigned INT on MariaDB.
	await sql.run(`CREATE TABLE instants (id INTEGER PRIMARY KEY, unix_seconds ${sql.dialect === 'mysql' ? 'INT UNSIGNED' : 'INTEGER'} NOT NULL)`);
	await sql.run(`INSERT INTO instants (id, unix_seconds) VALUES ${sqlInstants.map(() => '(?, ?)').join(', ')}`, sqlInstants.flatMap((iso, index) => [index + 1, unix(iso)]));
	const asText = sql.dialect === 'sqlite' ? (seconds: string) => `datetime(${seconds}, 'unixepoch')` : (seconds: string) => `DATE_ADD('1970-01-01 00:00:00', INTERVAL ${seconds} SECOND)`;
	for (const zone of sqlZones) {
		const intervals = offsetIntervals(zone, unix('2000-01-01T00:00:00Z'), unix('2030-01-01T00:00:00Z'));
		const rows = await sql.all<{id: number; local: string}>(`SELECT id, ${asText(localSecondsSql('unix_seconds', intervals))} AS local FROM instants ORDER BY id`);
		t.deepEqual(rows.map(row => String(row.local)), sqlInstants.map(iso => wallClock(at(iso), zone)), zone);
	}

	const berlin = offsetIntervals('Europe/Berlin', unix('2025-01-01T00:00:00Z'), unix('2026-01-01T00:00:00Z'));
	const single = await sql.get<{v: number}>(`SELECT ${localSecondsSql(String(unix('2025-07-01T00:00:00Z')), berlin)} AS v`);
	t.is(Number(single!.v), unix('2025-07-01T02:00:00Z'));
}, {platform: false, runbookTables: false});
