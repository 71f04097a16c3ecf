import test from 'ava';
import {cleanup, render} from 'ink-testing-library';
import type {DriftChoice} from '../../../source/engine/runner-events.js';
import {DriftPrompt} from '../../../source/ui/components/drift-prompt.js';
import {flat, plain, waitForFrame} from '../../helpers/ink.js';

test.afterEach.always(() => {
	cleanup();
});

test.serial('shows both numbers and the difference per metric; a accepts', async t => {
	const choices: DriftChoice[] = [];
	const request = {step: 'backfill-membership', drift: {members_created: [9000, 8990] as [number, number], records_skipped: [500, 510] as [number, number]}};
	const {lastFrame, stdin} = render(<DriftPrompt request={request} name="4. Backfill memberships" isActive width={100} onChoose={choice => choices.push(choice)} />);
	await waitForFrame(lastFrame, value => value.includes('Drift'));
	const lines = plain(lastFrame()).split('\n');
	t.is(lines[0], '⚠ Drift: 4. Backfill memberships wrote different counts than its dry run planned.');
	t.is(lines[1], '  Members Created  planned     9,000  actual     8,990  (-10)');
	t.is(lines[2], '  Records Skipped  planned       500  actual       510  (+10)');
	t.true(flat(lastFrame()!).includes('a accept the difference and go on · b roll back this run · q quit (exit 7, resumable)'));
	stdin.write('a');
	await waitForFrame(() => choices.join(','), value => value !== '');
	t.deepEqual(choices, ['accept']);
});

test.serial('b rolls back, q quits', async t => {
	for (const [key, expected] of [['b', 'rollback'], ['q', 'quit']] as const) {
		const choices: DriftChoice[] = [];
		const {lastFrame, stdin, unmount} = render(<DriftPrompt request={{step: 's', drift: {x: [1, 2]}}} name="s" isActive width={80} onChoose={choice => choices.push(choice)} />);
		await waitForFrame(lastFrame, value => value.includes('Drift'));
		stdin.write(key);
		await waitForFrame(() => choices.join(','), value => value !== '');
		t.deepEqual(choices, [expected]);
		unmount();
	}
});
