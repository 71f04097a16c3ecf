import test from 'ava';
import {cleanup, render} from 'ink-testing-library';
import {MetricsTable} from '../../../source/ui/components/metrics-table.js';
import {plain, widestLine} from '../../helpers/ink.js';

test.afterEach.always(() => {
	cleanup();
});

test.serial('planned vs live per metric, headline-case labels, right-aligned numbers', t => {
	const {lastFrame} = render(<MetricsTable planned={{members_created: 9000, members_updated: 100}} live={{members_created: 1500, members_updated: 16}} width={100} />);
	t.deepEqual(plain(lastFrame()).split('\n'), [
		'┌─────────────────┬─────────┬───────┐',
		'│ Metric          │ Planned │  Live │',
		'│ Members Created │   9,000 │ 1,500 │',
		'│ Members Updated │     100 │    16 │',
		'└─────────────────┴─────────┴───────┘',
	]);
});

test.serial('a metric only one side knows shows a dash on the other', t => {
	const {lastFrame} = render(<MetricsTable planned={{records_skipped: 5}} live={{records_created: 7}} width={100} />);
	const frame = plain(lastFrame());
	t.true(frame.includes('│ Records Skipped │       5 │    – │'));
	t.true(frame.includes('│ Records Created │       – │    7 │'));
});

test.serial('without a dry run only the live column; before the first batch only the planned one', t => {
	t.true(plain(render(<MetricsTable live={{members_created: 3}} width={100} />).lastFrame()).includes('│ Metric          │ Live │'));
	t.true(plain(render(<MetricsTable planned={{members_created: 3}} width={100} />).lastFrame()).includes('│ Metric          │ Planned │'));
});

test.serial('labels are shortened to fit a narrow column', t => {
	const {lastFrame} = render(<MetricsTable planned={{communities_processed: 3, enrollments_scanned: 12_000}} live={{communities_processed: 1}} width={34} />);
	t.true(widestLine(lastFrame()!) <= 34);
	t.true(plain(lastFrame()).includes('…'));
});
