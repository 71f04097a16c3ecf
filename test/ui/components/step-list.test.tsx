import test from 'ava';
import {cleanup, render} from 'ink-testing-library';
import {StepList} from '../../../source/ui/components/step-list.js';
import type {HistoryEntry, StepView} from '../../../source/ui/run-state.js';
import {plain} from '../../helpers/ink.js';
import {steps} from '../../fixtures/run-events.js';

test.afterEach.always(() => {
	cleanup();
});

const view = (overrides: Record<string, StepView['status']>): StepView[] => steps.map(step => ({...step, status: overrides[step.id] ?? step.status}));

const history: HistoryEntry[] = [
	{key: '0', kind: 'succeeded', stepId: 'prerequisites', number: 1, title: 'Prerequisites', metrics: {checks_passed: 7, checks_failed: 0}, durationMs: 300},
	{key: '1', kind: 'skipped', stepId: 'seed-baseline', number: 2, title: 'Seed baseline data', reason: 'already seeded last week'},
	{key: '2', kind: 'failed', stepId: 'backfill-membership-dry-run', number: 3, title: 'Backfill memberships (dry run)', error: {code: 8, message: 'Connection lost.', hint: 'Resume later.'}},
];

test.serial('finished steps are drawn with ✔ / ⊘ / ✖, their figures, reason and error; open steps below', t => {
	const {lastFrame} = render(<StepList history={history} steps={view({prerequisites: 'succeeded', 'seed-baseline': 'skipped', 'backfill-membership-dry-run': 'failed', 'backfill-membership': 'running'})} awaitingStep={null} maxLines={10} width={100} />);
	const lines = plain(lastFrame()).split('\n');
	t.is(lines[0], '✔ 1. Prerequisites — done in 0.3 s · 7 checks passed · 0 checks failed');
	t.is(lines[1], '⊘ 2. Seed baseline data — skipped: already seeded last week');
	t.is(lines[2], '✖ 3. Backfill memberships (dry run) — failed (exit 8): Connection lost. Hint: Resume later.');
	t.is(lines[3], '▶ 4. Backfill memberships — running');
	t.is(lines[4], '– 5. Notify — unavailable in this version');
	t.is(lines.length, 5);
});

test.serial('pending steps are listed as pending, unavailable ones never as done; an approval shows as waiting', t => {
	const {lastFrame} = render(<StepList history={[]} steps={view({'seed-baseline': 'running'})} awaitingStep="seed-baseline" maxLines={10} width={100} />);
	t.deepEqual(plain(lastFrame()).split('\n'), [
		'○ 1. Prerequisites — pending',
		'? 2. Seed baseline data — waiting for your decision',
		'○ 3. Backfill memberships (dry run) — pending',
		'○ 4. Backfill memberships — pending',
		'– 5. Notify — unavailable in this version',
	]);
});

test.serial('history is drawn once (Static): a re-render with one more entry appends only that entry', t => {
	const steps3 = view({});
	const {lastFrame, rerender} = render(<StepList history={history.slice(0, 1)} steps={steps3} awaitingStep={null} maxLines={10} width={100} />);
	rerender(<StepList history={history.slice(0, 2)} steps={steps3} awaitingStep={null} maxLines={10} width={100} />);
	const frame = plain(lastFrame());
	t.is(frame.split('\n').filter(line => line.startsWith('✔ 1. Prerequisites')).length, 1);
	t.true(frame.includes('⊘ 2. Seed baseline data — skipped: already seeded last week'));
});

test.serial('when the open steps do not fit, the rest is summarised in one line', t => {
	const {lastFrame} = render(<StepList history={[]} steps={view({})} awaitingStep={null} maxLines={3} width={100} />);
	t.deepEqual(plain(lastFrame()).split('\n'), ['○ 1. Prerequisites — pending', '○ 2. Seed baseline data — pending', '  … and 3 more pending steps']);
});
