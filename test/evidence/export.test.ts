import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import {exportEvidence} from '../../source/evidence/export/index.js';
import {writeSampleEvidence} from '../helpers/evidence.js';

test('markdown names the run, the steps, their metrics, SQL, drift, warnings, verification and integrity', async t => {
	const {dir} = await writeSampleEvidence();
	const markdown = await exportEvidence(dir, 'md');
	t.true(markdown.startsWith('# Stage-11 runbook evidence — run run-1\n'));
	t.true(markdown.includes('| 4 | backfill-membership | Backfill membership | execute | succeeded | operator: backfill (2026-11-25T19:12:05Z) | 2026-11-25T19:12:05.000Z | 2026-11-25T19:12:06.000Z | 1.0 s |'));
	t.true(markdown.includes('| Members Reactivated | `members_reactivated` | 2 |'));
	t.true(markdown.includes('```sql\nINSERT INTO community_members (community_id, user_id) SELECT c, u FROM runbook_work WHERE id BETWEEN ? AND ?\n```\nParameters: `[1,50]`'));
	t.true(markdown.includes('| members_created | 118 | 120 |'));
	t.true(markdown.includes('- community 7: classroom link "abc" is not a positive integer; ignored'));
	t.true(markdown.includes('### Verification results\n\n```json\n{\n  "api_gate": "passed",\n  "differences": 1\n}\n```'));
	t.true(markdown.includes('Exit code 4: User 7 differs — See the differences.'));
	t.true(markdown.includes('| community_members | 10 | 130 | changed |'));
	t.true(markdown.includes('Batches: 3, 120 rows in 190 ms; throughput min 500 / max 1000 rows/s.'));
	t.true(markdown.includes('Evidence integrity | intact (8 files, 6 events; chain and every hash re-checked)'));
	t.false(markdown.includes('hunter2'));
});

test('markdown reports a tampered folder', async t => {
	const {dir} = await writeSampleEvidence();
	writeFileSync(join(dir, 'steps', '08-verify.json'), '{"status":"succeeded"}\n');
	const markdown = await exportEvidence(dir, 'md');
	t.true(markdown.includes('TAMPERED or incomplete: 1 problem(s), first: steps/08-verify.json line 1: sha256 differs from the manifest'));
});

test('json is one document with manifest, steps, events summary and snapshots', async t => {
	const {dir} = await writeSampleEvidence();
	const document = JSON.parse(await exportEvidence(dir, 'json')) as Record<string, any>;
	t.is(document.run_id, 'run-1');
	t.is(document.manifest.events.count, 6);
	t.true(document.integrity.ok);
	t.deepEqual(document.steps.map((step: {step: string}) => step.step), ['backfill-membership-dry-run', 'backfill-membership', 'verify']);
	t.deepEqual(document.events.by_type, {'evidence-opened': 1, 'step-started': 3, 'step-progress': 1, 'run-finished': 1});
	t.is(document.events.count, 6);
	t.deepEqual(document.snapshots.map((snapshot: {when: string; tables: Array<{rows: number}>}) => [snapshot.when, snapshot.tables[0]!.rows]), [['after', 130], ['before', 10]]);
});

test('html is self-contained with one bar per batch in an inline SVG', async t => {
	const {dir} = await writeSampleEvidence();
	const html = await exportEvidence(dir, 'html');
	t.true(html.startsWith('<!doctype html>'));
	t.is(html.match(/<svg/g)?.length, 1);
	t.is(html.match(/<rect class="bar"/g)?.length, 3);
	t.true(html.includes('batch 2 (pairs): 50 rows in 50 ms, batch size 50 → 1000 rows/s'));
	t.false(/<script|<link|<img|<iframe|@import|url\(/i.test(html));
	t.false(/(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html));
	t.false(/https?:\/\//.test(html.replaceAll('https://hooks.slack.com/***', '')));
	t.true(html.includes('<td>Members Reactivated</td>'));
	t.true(html.includes('INSERT INTO community_members'));
	t.false(html.includes('hunter2'));
});
