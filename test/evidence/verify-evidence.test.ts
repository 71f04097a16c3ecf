import {readFileSync, rmSync, unlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import {UsageError} from '../../source/core/errors.js';
import {chainEvent, formatEventLine, parseLine} from '../../source/evidence/event-chain.js';
import {listFiles} from '../../source/evidence/manifest.js';
import {verifyEvidence} from '../../source/evidence/verify-evidence.js';
import {writeSampleEvidence} from '../helpers/evidence.js';

const read = (dir: string, file: string) => readFileSync(join(dir, file));

function flipByte(dir: string, file: string, position: number): void {
	const content = read(dir, file);
	content[position]! ^= 0x01;
	writeFileSync(join(dir, file), content);
}

function eventLines(dir: string): string[] {
	return read(dir, 'events.jsonl').toString('utf8').trimEnd().split('\n');
}

test('flipping any byte of events.jsonl is found and names the line', async t => {
	const {dir} = await writeSampleEvidence();
	const original = read(dir, 'events.jsonl');
	for (let position = 0; position < original.length; position += 5) {
		writeFileSync(join(dir, 'events.jsonl'), original);
		flipByte(dir, 'events.jsonl', position);
		const line = original.subarray(0, position).toString('latin1').split('\n').length;
		const result = await verifyEvidence(dir);
		t.false(result.ok, `byte ${position}`);
		t.like(result.problems[0], {file: 'events.jsonl', line}, `byte ${position}`);
	}
});

test('flipping any byte of a step file, a snapshot or the manifest is found and names the file and line', async t => {
	const {dir} = await writeSampleEvidence();
	for (const file of ['steps/04-backfill-membership.json', 'snapshots/04-backfill-membership-before.json', 'manifest.json']) {
		const original = read(dir, file);
		let named = 0;
		let flips = 0;
		for (let position = 0; position < original.length; position += 3) {
			writeFileSync(join(dir, file), original);
			flipByte(dir, file, position);
			const result = await verifyEvidence(dir);
			const line = original.subarray(0, position).toString('latin1').split('\n').length;
			t.false(result.ok, `${file} byte ${position}`);
			t.is(result.problems[0]!.file, file, `${file} byte ${position}`);
			flips++;
			named += result.problems[0]!.line === line ? 1 : 0;
			if (file !== 'manifest.json') {
				t.is(result.problems[0]!.line, line, `${file} byte ${position}`);
			}
		}

		// In the manifest only edits of its own two seal lines may go without the exact line.
		t.true(named / flips > 0.98, `${file}: ${named} of ${flips} flips named the line`);

		writeFileSync(join(dir, file), original);
	}

	t.true((await verifyEvidence(dir)).ok);
});

test('a byte that keeps the JSON meaning (a space) is still found', async t => {
	const {dir} = await writeSampleEvidence();
	const lines = eventLines(dir);
	lines[1] = lines[1]!.replace('"seq":2', '"seq": 2');
	writeFileSync(join(dir, 'events.jsonl'), lines.join('\n') + '\n');
	const result = await verifyEvidence(dir);
	t.deepEqual(result.problems.slice(0, 1), [{file: 'events.jsonl', line: 2, problem: "the line's bytes differ from what was written (the line was edited)"}]);
});

test('a deleted line, a deleted last line and an appended (well-chained) line are found', async t => {
	const {dir} = await writeSampleEvidence();
	const lines = eventLines(dir);
	writeFileSync(join(dir, 'events.jsonl'), [lines[0], ...lines.slice(2)].join('\n') + '\n');
	t.like((await verifyEvidence(dir)).problems[0], {file: 'events.jsonl', line: 2});

	writeFileSync(join(dir, 'events.jsonl'), lines.slice(0, -1).join('\n') + '\n');
	t.deepEqual((await verifyEvidence(dir)).problems[0], {file: 'events.jsonl', line: 6, problem: '1 line(s) missing (the manifest counts 6 events, the file has 5)'});

	const last = parseLine(lines.at(-1)!)!;
	const forged = chainEvent(last, {at: '2026-11-25T20:00:00.000Z', step: null, type: 'forged', data: {}});
	writeFileSync(join(dir, 'events.jsonl'), [...lines, formatEventLine(forged)].join('\n') + '\n');
	const appended = await verifyEvidence(dir);
	t.deepEqual(appended.problems[0], {file: 'events.jsonl', line: 7, problem: '1 line(s) added after the manifest was written (it counts 6 events)'});
	t.true(appended.problems.some(problem => problem.file === 'events.jsonl' && /sha256 differs/.test(problem.problem)));
});

test('an added file, a removed file and a removed manifest are found', async t => {
	const {dir} = await writeSampleEvidence();
	writeFileSync(join(dir, 'steps', '05-extra.json'), '{}\n');
	t.deepEqual((await verifyEvidence(dir)).problems, [{file: 'steps/05-extra.json', problem: 'not listed in the manifest (added after the run was finalized)'}]);
	unlinkSync(join(dir, 'steps', '05-extra.json'));

	unlinkSync(join(dir, 'snapshots', '04-backfill-membership-after.json'));
	t.deepEqual((await verifyEvidence(dir)).problems, [{file: 'snapshots/04-backfill-membership-after.json', problem: 'listed in the manifest but missing (removed)'}]);

	rmSync(join(dir, 'manifest.json'));
	const result = await verifyEvidence(dir);
	t.false(result.ok);
	t.is(result.problems[0]!.file, 'manifest.json');
	t.is(result.events, 6);
	t.is((await listFiles(dir)).length, 6);
});

test('a missing folder is a usage error naming it', async t => {
	const error = await t.throwsAsync(verifyEvidence('/nonexistent/evidence/folder'), {instanceOf: UsageError});
	t.regex(error!.message, /\/nonexistent\/evidence\/folder does not exist/);
});
