import test from 'ava';
import {cleanup, render} from 'ink-testing-library';
import type {Decision} from '../../../source/engine/runner-events.js';
import {ApprovalPrompt} from '../../../source/ui/components/approval-prompt.js';
import {flat, keys, settle, waitForFrame} from '../../helpers/ink.js';
import {backfillApproval, seedApproval} from '../../fixtures/run-events.js';

test.afterEach.always(() => {
	cleanup();
});

function mount(request = seedApproval) {
	const decisions: Decision[] = [];
	let evidence = 0;
	const screen = render(<ApprovalPrompt request={request} by="alice" isActive onDecide={decision => decisions.push(decision)} onViewEvidence={() => evidence++} />);
	return {...screen, decisions, evidenceOpened: () => evidence};
}

test.serial('says what the step does and what each key does', async t => {
	const {lastFrame} = mount();
	const frame = await waitForFrame(lastFrame, value => value.includes('Seed baseline data'));
	t.true(flat(frame).includes('? 2. Seed baseline data (execute): Upserts 5 categories, 4 global levels and 6 global points rules by natural key.'));
	t.true(flat(frame).includes('y run it now · s skip it (asks a reason) · q abort the run (resumable) · e evidence'));
});

test.serial('confirm: y runs', async t => {
	const {stdin, lastFrame, decisions} = mount();
	await waitForFrame(lastFrame, value => value.includes('y run it now'));
	stdin.write('y');
	await waitForFrame(() => String(decisions.length), value => value === '1');
	t.deepEqual(decisions, [{answer: 'run', by: 'alice'}]);
});

test.serial('s asks a one-line reason; an empty one is refused; Enter submits the skip', async t => {
	const {stdin, lastFrame, decisions} = mount();
	await waitForFrame(lastFrame, value => value.includes('y run it now'));
	stdin.write('s');
	await waitForFrame(lastFrame, value => value.includes('Why skip 2. Seed baseline data?'));
	stdin.write(keys.enter);
	await waitForFrame(lastFrame, value => value.includes('✖ A reason is required to skip a step.'));
	t.deepEqual(decisions, []);
	stdin.write('seeded by hand in CHG-1234');
	await waitForFrame(lastFrame, value => value.includes('> seeded by hand in CHG-1234'));
	stdin.write(keys.enter);
	await waitForFrame(() => String(decisions.length), value => value === '1');
	t.deepEqual(decisions, [{answer: 'skip', by: 'alice', reason: 'seeded by hand in CHG-1234'}]);
});

test.serial('q and a abort; e opens the evidence', async t => {
	const {stdin, lastFrame, decisions, evidenceOpened} = mount();
	await waitForFrame(lastFrame, value => value.includes('y run it now'));
	stdin.write('e');
	await waitForFrame(() => String(evidenceOpened()), value => value === '1');
	stdin.write('a');
	await waitForFrame(() => String(decisions.length), value => value === '1');
	t.is(decisions[0]!.answer, 'abort');
	t.is(decisions[0]!.by, 'alice');
});

test.serial('type-to-confirm: y asks for the word, a wrong word keeps the decision pending, Esc goes back to the choice', async t => {
	const {stdin, lastFrame, decisions} = mount(backfillApproval);
	await waitForFrame(lastFrame, value => value.includes('y run it (you type "backfill" to confirm)'));
	stdin.write('y');
	await waitForFrame(lastFrame, value => value.includes('Type backfill and press Enter'));
	t.deepEqual(decisions, []);
	stdin.write('migrate');
	await waitForFrame(lastFrame, value => value.includes('> migrate'));
	stdin.write(keys.enter);
	await waitForFrame(lastFrame, value => value.includes('"migrate" is not "backfill": nothing was run'));
	t.deepEqual(decisions, []);
	stdin.write(keys.escape);
	await waitForFrame(lastFrame, value => value.includes('y run it (you type "backfill" to confirm)'));
	stdin.write('y');
	await waitForFrame(lastFrame, value => value.includes('Type backfill and press Enter'));
	stdin.write('backfill');
	await waitForFrame(lastFrame, value => value.includes('> backfill'));
	stdin.write(keys.enter);
	await settle();
	await waitForFrame(() => String(decisions.length), value => value === '1');
	t.deepEqual(decisions, [{answer: 'run', by: 'alice'}]);
});
