import test from 'ava';
import {parseJobParams} from '../../source/engine/job-runner.js';
import {UsageError} from '../../source/core/errors.js';
import {isoSeconds} from '../../source/core/timestamps.js';
import {migrateLegacyActivity} from '../../source/jobs/migrate-legacy-activity.js';
import {parseSince, resolveSince} from '../../source/jobs/legacy-activity/since.js';

const start = new Date('2025-10-30T08:15:42.750Z');

function resolved(text: string, at = start): string {
	const parsed = parseSince(text);
	if (!parsed.ok) {
		throw new Error(parsed.reason);
	}

	return isoSeconds(resolveSince(parsed.spec, at));
}

test('ISO dates and datetimes resolve to UTC', t => {
	t.is(resolved('2025-08-01'), '2025-08-01T00:00:00Z');
	t.is(resolved('2025-08-01T10:00:00Z'), '2025-08-01T10:00:00Z');
	t.is(resolved('2025-08-01 10:00:00'), '2025-08-01T10:00:00Z');
	t.is(resolved('2025-08-01T10:00'), '2025-08-01T10:00:00Z');
	t.is(resolved('2025-08-01T12:00:00+02:00'), '2025-08-01T10:00:00Z');
	t.is(resolved('2025-08-01T05:30:00-04:30'), '2025-08-01T10:00:00Z');
	t.is(resolved('2024-02-29'), '2024-02-29T00:00:00Z');
	// A fraction rounds up, so "at or after" stays exact on whole-second timestamps.
	t.is(resolved('2025-08-01T10:00:00.250Z'), '2025-08-01T10:00:01Z');
	t.is(resolved('2025-08-01T10:00:00.000Z'), '2025-08-01T10:00:00Z');
});

test('relative times count back from the run start, whole seconds, calendar months and years', t => {
	t.is(resolved('-90 days'), '2025-08-01T08:15:42Z');
	t.is(resolved('90 days ago'), '2025-08-01T08:15:42Z');
	t.is(resolved('-1 day'), '2025-10-29T08:15:42Z');
	t.is(resolved('-15 minutes'), '2025-10-30T08:00:42Z');
	t.is(resolved('1 minute ago'), '2025-10-30T08:14:42Z');
	t.is(resolved('-2 hours'), '2025-10-30T06:15:42Z');
	t.is(resolved('-2 weeks'), '2025-10-16T08:15:42Z');
	t.is(resolved('3 months ago'), '2025-07-30T08:15:42Z');
	t.is(resolved('-1 year'), '2024-10-30T08:15:42Z');
	t.is(resolved('-10 years'), '2015-10-30T08:15:42Z');
	t.is(resolved('-1 month', new Date('2025-03-31T00:00:00Z')), '2025-02-28T00:00:00Z');
	t.is(resolved('-1 year', new Date('2024-02-29T00:00:00Z')), '2023-02-28T00:00:00Z');
	t.is(resolved('-13 months', new Date('2025-01-15T00:00:00Z')), '2023-12-15T00:00:00Z');
	t.is(resolved('-90 DAYS'), '2025-08-01T08:15:42Z');
});

test('anything else is refused with a reason', t => {
	for (const text of ['yesterdayish', '2025-13-45', '2025-02-30', '2023-02-29', '2025-08-01T24:00:00', '2025-08-01T10:60', '90 days', '-90 fortnights', 'now', '', '-1.5 days', '2025-8-1', '-9999999 years']) {
		t.false(parseSince(text).ok, text);
	}
});

function usageLine(raw: Record<string, unknown>): string {
	const error = t_throws(() => parseJobParams(migrateLegacyActivity, raw));
	return error.message;
}

function t_throws(work: () => unknown): UsageError {
	try {
		work();
	} catch (error) {
		if (error instanceof UsageError) {
			return error;
		}

		throw error;
	}

	throw new Error('expected a UsageError');
}

test('--chunk must be an integer 1..100000: one line naming the flag and the range', t => {
	for (const chunk of ['0', '-1', 'abc', '1e3', '1.5', '100001', '99999999999999999999', '', 0, 1.5, 100_001]) {
		t.regex(usageLine({chunk}), /^--chunk must be an integer 1\.\.100000 \(got .*\)\.$/, String(chunk));
	}

	t.is(migrateLegacyActivity.parameters.parse({chunk: '1'}).chunk, 1);
	t.is(migrateLegacyActivity.parameters.parse({chunk: '100000'}).chunk, 100_000);
	t.is(migrateLegacyActivity.parameters.parse({chunk: 7}).chunk, 7);
});

test('--since errors name the flag and the accepted forms', t => {
	for (const since of ['yesterdayish', '2025-13-45']) {
		const message = usageLine({since});
		t.true(message.startsWith(`--since: "${since}"`), message);
		t.regex(message, /ISO-8601 date or datetime .*"-90 days", "90 days ago"; units minute, hour, day, week, month, year/);
		t.false(message.includes('\n'));
	}

	t.deepEqual(migrateLegacyActivity.parameters.parse({since: '-90 days'}), {chunk: 500, since: '-90 days', sinceSpec: {kind: 'relative', amount: 90, unit: 'day'}, sinceAt: null});
	t.deepEqual(migrateLegacyActivity.parameters.parse({since: '2025-08-01'}).sinceSpec, {kind: 'local', at: '2025-08-01 00:00:00'}, 'a date without a zone is the platform\'s wall clock');
	t.deepEqual(migrateLegacyActivity.parameters.parse({since: '2025-08-01T00:00:00+06:00'}).sinceSpec, {kind: 'absolute', at: '2025-07-31T18:00:00Z'});
});
