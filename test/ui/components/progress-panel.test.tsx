import test from 'ava';
import {cleanup, render} from 'ink-testing-library';
import {ProgressPanel} from '../../../source/ui/components/progress-panel.js';
import {plain, waitForFrame} from '../../helpers/ink.js';
import {backfillProgress} from '../../fixtures/run-events.js';

test.afterEach.always(() => {
	cleanup();
});

test.serial('shows batch, batch size, percentage, rows, rows/s and ETA', t => {
	const {lastFrame} = render(<ProgressPanel number={4} title="Backfill memberships" progress={backfillProgress(3, {etaMs: 75_000})} throttle={null} width={100} />);
	const lines = plain(lastFrame()).split('\n');
	t.regex(lines[0]!, /^. 4\. Backfill memberships — batch 3 · 1,000 rows per batch$/);
	t.regex(lines[1]!, /^\[█+░+\]  25% 3,000 \/ 12,000 enrollments$/);
	t.regex(lines[2]!, /^25,000 rows\/s · ETA 1:15 · elapsed \d/);
	t.is(lines.length, 3);
});

test.serial('the bar grows with the rows scanned', t => {
	const filled = (batch: number) => {
		const {lastFrame, unmount} = render(<ProgressPanel number={4} title="Backfill" progress={backfillProgress(batch)} throttle={null} width={80} />);
		const bar = plain(lastFrame()).split('\n')[1]!;
		unmount();
		return [...bar].filter(char => char === '█').length;
	};

	const quarter = filled(3);
	const threeQuarters = filled(9);
	t.true(quarter > 0);
	t.true(threeQuarters > quarter * 2);
	const full = plain(render(<ProgressPanel number={4} title="Backfill" progress={backfillProgress(12)} throttle={null} width={80} />).lastFrame()).split('\n')[1]!;
	t.false(full.includes('░'));
	t.true(full.includes('100%'));
});

test.serial('throttle reason and wait are shown while waiting', t => {
	const {lastFrame} = render(<ProgressPanel number={4} title="Backfill" progress={backfillProgress(2)} throttle={{reason: 'replica lag 7 s > max 5 s', waitMs: 2000}} width={100} />);
	t.true(plain(lastFrame()).includes('⏸ Throttled, waiting 2.0 s: replica lag 7 s > max 5 s'));
});

test.serial('unknown total: rows scanned without a bar; no progress yet: just running', t => {
	const unknown = render(<ProgressPanel number={6} title="Migrate" progress={backfillProgress(2, {rowsTotal: null, source: 'community_posts'})} throttle={null} width={100} />);
	t.true(plain(unknown.lastFrame()).includes('2,000 community_posts rows scanned (total not known)'));
	t.false(plain(unknown.lastFrame()).includes('['));
	const first = render(<ProgressPanel number={2} title="Seed baseline data" progress={null} throttle={null} width={100} />);
	t.regex(plain(first.lastFrame()), /^. 2\. Seed baseline data — running\nelapsed /);
});

test.serial('between batches the elapsed time keeps counting on its own clock, from the engine\'s last figure', async t => {
	const waiting = render(<ProgressPanel number={4} title="Backfill" progress={backfillProgress(2, {elapsedMs: 0})} throttle={{reason: 'queue depth 1,500 > max 1,000', waitMs: null}} width={100} />);
	t.regex(plain(waiting.lastFrame()), /elapsed 0\.\d s/);
	await waitForFrame(waiting.lastFrame, frame => /elapsed [12]\.\d s/.test(frame), 5000);
	const ahead = render(<ProgressPanel number={4} title="Backfill" progress={backfillProgress(2, {elapsedMs: 75_000})} throttle={null} width={100} />);
	t.true(plain(ahead.lastFrame()).includes('elapsed 1:15'), 'a resumed step shows the engine\'s elapsed time, not the panel\'s');
});
