import {readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import {PrerequisiteFailed} from '../../source/core/errors.js';
import {EvidenceFolder, folderStamp} from '../../source/evidence/evidence-folder.js';
import {listFiles} from '../../source/evidence/manifest.js';
import {verifyEvidence} from '../../source/evidence/verify-evidence.js';
import {secrets, sqliteDatabase, temporaryRoot, writeSampleEvidence} from '../helpers/evidence.js';

const meta = {tool_version: '0.1.0', database: sqliteDatabase, command: 'community-runbook run --yes'};

test('the folder is named <UTC timestamp>-<run id> and holds steps/ and snapshots/', async t => {
	const root = join(temporaryRoot(), 'a', 'b');
	const folder = await EvidenceFolder.create(root, 'run-42', meta, new Date('2026-11-25T19:12:00.123Z'));
	t.is(folder.dir, join(root, '20261125T191200Z-run-42'));
	t.is(folderStamp(new Date('2026-01-02T03:04:05Z')), '20260102T030405Z');
	t.deepEqual(await listFiles(folder.dir), ['events.jsonl']);
	t.true(statSync(join(folder.dir, 'steps')).isDirectory());
	t.true(statSync(join(folder.dir, 'snapshots')).isDirectory());
	await folder.close();
});

test('every file is 0600 and every folder 0700', async t => {
	const folder = await writeSampleEvidence();
	for (const path of ['.', 'steps', 'snapshots', 'samples']) {
		t.is(statSync(join(folder.dir, path)).mode & 0o777, 0o700, path);
	}

	const files = [...(await listFiles(folder.dir)), 'manifest.json'];
	t.is(files.length, 8);
	for (const path of files) {
		t.is(statSync(join(folder.dir, path)).mode & 0o777, 0o600, path);
	}
});

test('secrets in event data, step records, files and the command never reach the disk', async t => {
	const folder = await writeSampleEvidence();
	const files = [...(await listFiles(folder.dir)), 'manifest.json'];
	const everything = files.map(path => readFileSync(join(folder.dir, path), 'utf8')).join('\n');
	t.false(everything.includes('hunter2'));
	t.false(everything.includes(secrets.token));
	t.false(everything.includes('abcdefghijklmnopqrstuvwxyz'));
	t.false(everything.includes('XXXXsecretXXXX'));
	t.true(everything.includes('mysql://u:***@h/db'));
});

test('concurrent appends keep their order and chain; the sample folder verifies', async t => {
	const folder = await writeSampleEvidence();
	const lines = readFileSync(join(folder.dir, 'events.jsonl'), 'utf8').trimEnd().split('\n').map(line => JSON.parse(line) as {seq: number; type: string; step: string | null; prev: string; hash: string});
	t.deepEqual(lines.map(line => line.seq), [1, 2, 3, 4, 5, 6]);
	t.deepEqual(lines.map(line => line.step), [null, 'prerequisites', 'backfill-membership-dry-run', 'backfill-membership', 'backfill-membership', null]);
	t.is(lines[0]!.prev, '0'.repeat(64));
	t.is(lines[3]!.prev, lines[2]!.hash);
	t.deepEqual(Object.keys(lines[1]!), ['seq', 'at', 'step', 'type', 'data', 'prev', 'hash']);
	const manifest = JSON.parse(readFileSync(join(folder.dir, 'manifest.json'), 'utf8')) as Record<string, any>;
	t.is(manifest.events.chain_head, lines[5]!.hash);
	t.is(manifest.events.count, 6);
	t.is(manifest.status, 'failed');
	t.deepEqual(manifest.database, sqliteDatabase);
	t.regex(String(manifest.git_commit), /^[\da-f]{40}$/);
	t.deepEqual(
		manifest.files.map((file: {path: string}) => file.path),
		['events.jsonl', 'samples/backfill.json', 'snapshots/04-backfill-membership-after.json', 'snapshots/04-backfill-membership-before.json', 'steps/03-backfill-membership-dry-run.json', 'steps/04-backfill-membership.json', 'steps/08-verify.json'],
	);
	t.deepEqual(await verifyEvidence(folder.dir), {ok: true, problems: [], files: 8, events: 6});
});

test('open() continues the chain after a resume and cuts a torn last line', async t => {
	const folder = await writeSampleEvidence();
	writeFileSync(join(folder.dir, 'events.jsonl'), readFileSync(join(folder.dir, 'events.jsonl'), 'utf8') + '{"seq":7,"at":"2026');
	const resumed = await EvidenceFolder.open(folder.dir);
	t.is(resumed.runId, 'run-1');
	await resumed.appendEvent({step: 'verify', type: 'step-started', data: {}});
	await resumed.flush();
	const unfinished = await verifyEvidence(folder.dir);
	t.deepEqual(unfinished.problems[0], {file: 'events.jsonl', line: 7, problem: 'the run was resumed after the manifest was written and not finalized again (2 line(s) from here on)'});
	await resumed.finalize();
	t.deepEqual(await verifyEvidence(folder.dir), {ok: true, problems: [], files: 8, events: 8});
	const reopened = JSON.parse(readFileSync(join(folder.dir, 'events.jsonl'), 'utf8').split('\n')[6]!) as {type: string; data: unknown};
	t.deepEqual(reopened, {...reopened, type: 'evidence-reopened', data: {previous_events: 6, torn_bytes_removed: 19}});
});

test('an unwritable root or a full disk is exit 3 before anything is written', async t => {
	const root = temporaryRoot();
	writeFileSync(join(root, 'a-file'), 'x');
	const notADirectory = await t.throwsAsync(EvidenceFolder.create(join(root, 'a-file', 'evidence'), 'run-1', meta), {instanceOf: PrerequisiteFailed});
	t.regex(notADirectory!.message, /a-file\/evidence is not writable \(ENOTDIR\)/);
	t.is(notADirectory!.exitCode, 3);
	const full = await t.throwsAsync(EvidenceFolder.create(join(root, 'evidence'), 'run-1', meta, new Date(), {minFreeBytes: Number.MAX_SAFE_INTEGER}), {instanceOf: PrerequisiteFailed});
	t.regex(full!.message, /MiB free on the disk of the evidence folder .*; \d+ MiB are needed/);
	t.deepEqual(await listFiles(join(root, 'evidence')), []);
});
