import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import {findLatestDryRun} from '../../source/evidence/dry-run-store.js';
import {sqliteDatabase, temporaryRoot} from '../helpers/evidence.js';

const mysqlDatabase = {driver: 'mysql', server_version: '10.11.19-MariaDB', database: 'app'} as const;

function writeRecord(root: string, folder: string, file: string, record: Record<string, unknown>): string {
	mkdirSync(join(root, folder, 'steps'), {recursive: true});
	const path = join(root, folder, 'steps', file);
	writeFileSync(path, JSON.stringify(record));
	return path;
}

const base = {job: 'backfill-membership', mode: 'dry-run', status: 'succeeded', semantic_hash: 'h1', database: sqliteDatabase};

test('picks the newest matching dry run and ignores other jobs, hashes, databases, modes and failures', async t => {
	const root = temporaryRoot();
	writeRecord(root, '20261125T100000Z-old', '03-backfill-membership-dry-run.json', {...base, metrics: {members_created: 1}, finished_at: '2026-11-25T10:00:05.000Z'});
	const newest = writeRecord(root, '20261125T110000Z-new', '03-backfill-membership-dry-run.json', {...base, metrics: {members_created: 2, members_updated: '4'}, finished_at: '2026-11-25T11:00:05.000Z'});
	writeRecord(root, '20261125T120000Z-other-job', '05-migrate-legacy-activity-dry-run.json', {...base, job: 'migrate-legacy-activity', metrics: {x: 3}, finished_at: '2026-11-25T12:00:00.000Z'});
	writeRecord(root, '20261125T120000Z-other-hash', '03-backfill-membership-dry-run.json', {...base, semantic_hash: 'h2', metrics: {members_created: 4}, finished_at: '2026-11-25T12:00:00.000Z'});
	writeRecord(root, '20261125T120000Z-other-db', '03-backfill-membership-dry-run.json', {...base, database: mysqlDatabase, metrics: {members_created: 5}, finished_at: '2026-11-25T12:00:00.000Z'});
	writeRecord(root, '20261125T120000Z-execute', '04-backfill-membership.json', {...base, mode: 'execute', status: 'failed', work_done: false, metrics: {members_created: 6}, finished_at: '2026-11-25T12:00:00.000Z'});
	writeRecord(root, '20261125T120000Z-failed', '03-backfill-membership-dry-run.json', {...base, status: 'failed', metrics: {members_created: 7}, finished_at: '2026-11-25T12:00:00.000Z'});
	writeRecord(root, '20261125T120000Z-broken', '03-backfill-membership-dry-run.json', {}).replace(/$/, '');
	writeFileSync(join(root, '20261125T120000Z-broken', 'steps', '03-x.json'), '{not json');
	writeFileSync(join(root, 'stray-file'), 'x');

	t.deepEqual(await findLatestDryRun(root, {job: 'backfill-membership', semanticHash: 'h1', database: sqliteDatabase}), {runId: 'new', metrics: {members_created: 2, members_updated: 4}, file: newest, finishedAt: '2026-11-25T11:00:05.000Z'});
	t.deepEqual((await findLatestDryRun(root, {job: 'backfill-membership', semanticHash: 'h1', database: mysqlDatabase}))?.metrics, {members_created: 5});
	t.is(await findLatestDryRun(root, {job: 'backfill-membership', semanticHash: 'h3', database: sqliteDatabase}), undefined);
	t.is(await findLatestDryRun(join(root, 'missing'), {job: 'backfill-membership', semanticHash: 'h1', database: sqliteDatabase}), undefined);
});

test('prefers the record\'s own run_id', async t => {
	const root = temporaryRoot();
	writeRecord(root, '20261125T100000Z-folder-id', '03-backfill-membership-dry-run.json', {...base, run_id: 'record-id', metrics: {members_created: 1}, finished_at: '2026-11-25 10:00:05'});
	t.is((await findLatestDryRun(root, {job: 'backfill-membership', semanticHash: 'h1', database: sqliteDatabase}))?.runId, 'record-id');
});

test('an execution that did its work consumes the dry runs before it; a later dry run counts again; a server upgrade does not matter', async t => {
	const root = temporaryRoot();
	const query = {job: 'backfill-membership', semanticHash: 'h1', database: sqliteDatabase};
	writeRecord(root, '20261125T100000Z-dry', '03-backfill-membership-dry-run.json', {...base, metrics: {members_created: 1}, finished_at: '2026-11-25T10:00:05.000Z'});
	t.is((await findLatestDryRun(root, query))?.runId, 'dry');
	writeRecord(root, '20261125T110000Z-exec', '04-backfill-membership.json', {...base, mode: 'execute', status: 'failed', work_done: true, metrics: {members_created: 1}, finished_at: '2026-11-25T11:00:05.000Z'});
	t.is(await findLatestDryRun(root, query), undefined, 'an execution stopped by drift after its writes consumed it too');
	writeRecord(root, '20261125T120000Z-upgraded', '03-backfill-membership-dry-run.json', {...base, database: {...sqliteDatabase, server_version: '9.9.9'}, metrics: {members_created: 0}, finished_at: '2026-11-25T12:00:05.000Z'});
	t.is((await findLatestDryRun(root, query))?.runId, 'upgraded');
	writeRecord(root, '20261125T130000Z-exec2', '04-backfill-membership.json', {...base, mode: 'execute', status: 'succeeded', metrics: {members_created: 0}, finished_at: '2026-11-25T13:00:05.000Z'});
	t.is(await findLatestDryRun(root, query), undefined);
});
