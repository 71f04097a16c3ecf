import test from 'ava';
import {cleanup, render} from 'ink-testing-library';
import type {FailureChoice} from '../../../source/engine/runner-events.js';
import {FailurePrompt} from '../../../source/ui/components/failure-prompt.js';
import {flat, waitForFrame} from '../../helpers/ink.js';

test.afterEach.always(() => {
	cleanup();
});

const error = {code: 8, message: 'Lost the connection to the database.', hint: 'Check the server, then choose r.'};

test.serial('names the failure, says the run stays resumable, and r retries', async t => {
	const choices: FailureChoice[] = [];
	const {lastFrame, stdin} = render(<FailurePrompt request={{step: 'backfill-membership', error, rollbackAvailable: true}} name="4. Backfill memberships" isActive onChoose={choice => choices.push(choice)} />);
	const frame = flat(await waitForFrame(lastFrame, value => value.includes('failed')));
	t.true(frame.includes('✖ 4. Backfill memberships failed (exit 8): Lost the connection to the database.'));
	t.true(frame.includes('Hint: Check the server, then choose r.'));
	t.true(frame.includes('the run stays resumable'));
	t.true(frame.includes("r retry the step · b roll back this run's changes · q quit now (start the guide again to resume)"));
	stdin.write('r');
	await waitForFrame(() => choices.join(','), value => value !== '');
	t.deepEqual(choices, ['retry']);
});

test.serial('b rolls back only when there is something to undo; q quits', async t => {
	const choices: FailureChoice[] = [];
	const {lastFrame, stdin} = render(<FailurePrompt request={{step: 'seed-baseline', error, rollbackAvailable: false}} name="2. Seed baseline data" isActive onChoose={choice => choices.push(choice)} />);
	const frame = flat(await waitForFrame(lastFrame, value => value.includes('failed')));
	t.false(frame.includes('roll back'));
	stdin.write('b');
	stdin.write('q');
	await waitForFrame(() => choices.join(','), value => value !== '');
	t.deepEqual(choices, ['quit']);
});
