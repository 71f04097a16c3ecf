import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {type DatabaseFingerprint, EvidenceFolder} from '../../source/evidence/evidence-folder.js';

export const secrets = {
	url: 'mysql://u:hunter2@h/db',
	token: '12|abcdefghijklmnopqrstuvwxyz0123456789ABCD',
	webhook: 'https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX',
} as const;

export const sqliteDatabase: DatabaseFingerprint = {driver: 'sqlite', server_version: '3.44.2', database: 'platform.sqlite'};

export function temporaryRoot(): string {
	return mkdtempSync(join(tmpdir(), 'runbook-evidence-'));
}

/** A finished run: events (some appended concurrently), three step records, snapshots, a sample file, a manifest. */
export async function writeSampleEvidence(root = temporaryRoot(), runId = 'run-1'): Promise<EvidenceFolder> {
	const start = new Date('2026-11-25T19:12:00.000Z');
	const folder = await EvidenceFolder.create(root, runId, {tool_version: '0.1.0', database: sqliteDatabase, command: `community-runbook run --yes --database-url=${secrets.url}`}, start);
	await Promise.all(
		['prerequisites', 'backfill-membership-dry-run', 'backfill-membership'].map(async (step, index) =>
			folder.appendEvent({step, type: 'step-started', data: {index, token: secrets.token}}, new Date(start.getTime() + 1000 * (index + 1))),
		),
	);
	await folder.appendEvent({step: 'backfill-membership', type: 'step-progress', data: {rows: 5, note: `posting to ${secrets.webhook} with ${secrets.url}`}});
	await folder.flush();
	await folder.writeStep(3, 'backfill-membership-dry-run', {
		step: 'backfill-membership-dry-run',
		number: 3,
		title: 'Backfill membership (dry run)',
		job: 'backfill-membership',
		mode: 'dry-run',
		status: 'succeeded',
		decision: {by: 'auto', answer: 'run', at: '2026-11-25T19:12:03Z'},
		params: {source: 'classrooms', batch: 1000},
		semantic_hash: 'abc',
		database: sqliteDatabase,
		metrics: {communities_processed: 3, members_created: 120},
		started_at: '2026-11-25T19:12:03.000Z',
		finished_at: '2026-11-25T19:12:04.000Z',
		duration_ms: 1000,
		error: null,
	});
	await folder.writeStep(4, 'backfill-membership', {
		step: 'backfill-membership',
		number: 4,
		title: 'Backfill membership',
		job: 'backfill-membership',
		mode: 'execute',
		status: 'succeeded',
		decision: {by: 'operator', answer: 'backfill', at: '2026-11-25T19:12:05Z'},
		params: {source: 'classrooms', batch: 50, webhook: secrets.webhook, databaseUrl: secrets.url},
		metrics: {communities_processed: 3, members_created: 120, members_reactivated: 2},
		drift: {members_created: [118, 120]},
		warnings: ['community 7: classroom link "abc" is not a positive integer; ignored'],
		samples: [{community_id: 1, user_id: 2, role: 'member'}],
		sql: [{statement: 'INSERT INTO community_members (community_id, user_id) SELECT c, u FROM runbook_work WHERE id BETWEEN ? AND ?', parameters: [1, 50]}],
		batches: [
			{seq: 1, source: 'pairs', rows: 50, durationMs: 100, batchSize: 50},
			{seq: 2, source: 'pairs', rows: 50, durationMs: 50, batchSize: 50},
			{seq: 3, source: 'pairs', rows: 20, durationMs: 40, batchSize: 50},
		],
		started_at: '2026-11-25T19:12:05.000Z',
		finished_at: '2026-11-25T19:12:06.000Z',
		duration_ms: 1000,
		error: null,
		details: {token: secrets.token},
	});
	await folder.writeStep(8, 'verify', {step: 'verify', number: 8, title: 'Verify', mode: 'verify', status: 'failed', details: {api_gate: 'passed', differences: 1}, error: {code: 4, message: 'User 7 differs', hint: 'See the differences.'}});
	await folder.writeSnapshot(4, 'backfill-membership', 'before', [{table: 'community_members', rows: 10, checksum: 'a'.repeat(64)}]);
	await folder.writeSnapshot(4, 'backfill-membership', 'after', [{table: 'community_members', rows: 130, checksum: 'b'.repeat(64)}]);
	await folder.writeFile('samples/backfill.json', JSON.stringify({url: secrets.url}));
	await folder.appendEvent({step: null, type: 'run-finished', data: {status: 'failed'}});
	await folder.finalize({status: 'failed'});
	return folder;
}
