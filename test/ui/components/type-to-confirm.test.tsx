import test from 'ava';
import {cleanup, render} from 'ink-testing-library';
import {TypeToConfirm} from '../../../source/ui/components/type-to-confirm.js';
import {keys, settle, waitForFrame} from '../../helpers/ink.js';

test.afterEach.always(() => {
	cleanup();
});

function mount() {
	const calls = {confirmed: 0, cancelled: 0};
	const screen = render(<TypeToConfirm word="backfill" action="run 4. Backfill memberships" isActive onConfirm={() => calls.confirmed++} onCancel={() => calls.cancelled++} />);
	return {...screen, calls};
}

test.serial('a wrong word is refused with a message and nothing happens; the right word confirms', async t => {
	const {stdin, lastFrame, calls} = mount();
	await waitForFrame(lastFrame, frame => frame.includes('Type backfill and press Enter to run 4. Backfill memberships'));
	stdin.write('backfil');
	await waitForFrame(lastFrame, frame => frame.includes('> backfil'));
	stdin.write(keys.enter);
	const refused = await waitForFrame(lastFrame, frame => frame.includes('✖'));
	t.true(refused.includes('✖ "backfil" is not "backfill": nothing was run.'));
	t.is(calls.confirmed, 0);

	stdin.write('backfill');
	await waitForFrame(lastFrame, frame => frame.includes('> backfill'));
	stdin.write(keys.enter);
	await settle();
	t.is(calls.confirmed, 1);
	t.is(calls.cancelled, 0);
});

test.serial('case matters, Backspace edits, Esc cancels', async t => {
	const {stdin, lastFrame, calls} = mount();
	await waitForFrame(lastFrame, frame => frame.includes('Type backfill'));
	stdin.write('Backfill');
	await waitForFrame(lastFrame, frame => frame.includes('> Backfill'));
	stdin.write(keys.enter);
	await waitForFrame(lastFrame, frame => frame.includes('"Backfill" is not "backfill"'));
	t.is(calls.confirmed, 0);

	stdin.write('backfillx');
	await waitForFrame(lastFrame, frame => frame.includes('> backfillx'));
	stdin.write(keys.backspace);
	await waitForFrame(lastFrame, frame => frame.includes('> backfill') && !frame.includes('> backfillx'));
	stdin.write(keys.escape);
	await settle();
	await waitForFrame(() => String(calls.cancelled), frame => frame === '1');
	t.is(calls.confirmed, 0);
});

test.serial('the word and Enter in one chunk (typed fast or pasted) is submitted, a wrong one refused', async t => {
	const {stdin, lastFrame, calls} = mount();
	await waitForFrame(lastFrame, frame => frame.includes('Type backfill'));
	stdin.write('backfil\r');
	await waitForFrame(lastFrame, frame => frame.includes('"backfil" is not "backfill"'));
	t.is(calls.confirmed, 0);
	stdin.write('backfill\r');
	t.is(await waitForFrame(() => String(calls.confirmed), value => value !== '0'), '1');
});
