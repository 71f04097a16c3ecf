import test from 'ava';
import {cleanup, render} from 'ink-testing-library';
import {EvidenceViewer} from '../../../source/ui/components/evidence-viewer.js';
import {keys, plain, waitForFrame, widestLine} from '../../helpers/ink.js';

test.afterEach.always(() => {
	cleanup();
});

const text = Array.from({length: 30}, (_, index) => `line ${index + 1}`).join('\n') + '\n' + 'x'.repeat(300);

test.serial('shows a screenful with its position, scrolls with ↓, Esc closes', async t => {
	let closed = 0;
	const {lastFrame, stdin} = render(<EvidenceViewer title="3. Backfill memberships (dry run)" text={text} error={null} height={6} width={70} isActive onClose={() => closed++} />);
	const first = await waitForFrame(lastFrame, value => value.includes('Evidence'));
	t.deepEqual(first.split('\n'), ['Evidence: 3. Backfill memberships (dry run) — lines 1–5 of 31', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
	stdin.write(keys.down);
	const scrolled = await waitForFrame(lastFrame, value => value.includes('lines 2–6'));
	t.is(scrolled.split('\n')[1], 'line 2');
	stdin.write(keys.escape);
	t.is(await waitForFrame(() => String(closed), value => value !== '0'), '1');
});

test.serial('the last screen: long lines are cut to the width', async t => {
	const {lastFrame} = render(<EvidenceViewer title="x" text={'a\n' + 'y'.repeat(300)} error={null} height={10} width={60} isActive onClose={() => undefined} />);
	await waitForFrame(lastFrame, value => value.includes('yyy'));
	t.true(widestLine(lastFrame()!) <= 60);
	t.true(plain(lastFrame()).includes('y…'));
});

test.serial('loading and read errors are said in words', t => {
	t.true(plain(render(<EvidenceViewer title="x" text={null} error={null} height={10} width={60} isActive={false} onClose={() => undefined} />).lastFrame()).includes('Loading…'));
	t.true(plain(render(<EvidenceViewer title="x" text={null} error="ENOENT: no such file" height={10} width={60} isActive={false} onClose={() => undefined} />).lastFrame()).includes('Could not read the evidence: ENOENT: no such file'));
});
