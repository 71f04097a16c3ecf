import {once} from 'node:events';
import {createServer, type IncomingMessage, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import test from 'ava';
import {notify, notifySkipReason, summaryPayload} from '../../source/jobs/notify.js';
import {testEachDialect} from '../helpers/databases.js';
import {runJob} from '../helpers/run-job.js';

const summary = {
	run_id: 'run-42',
	steps: [
		{id: 'backfill-membership', status: 'succeeded', metrics: {members_created: 120, members_unchanged: 0, records_skipped: 3}},
		{id: 'verify', status: 'failed', metrics: {differences: 2}},
		{id: 'notify', status: 'pending', metrics: {}},
	],
	verification: {passed: false, differences: 2},
	evidence_dir: '/srv/app/storage/app/upgrade/stage11/20261125T190000Z-run-42',
};

type Received = {method: string; url: string; headers: IncomingMessage['headers']; body: string};

async function webhookServer(statuses: number[]): Promise<{server: Server; url: string; received: Received[]}> {
	const received: Received[] = [];
	const server = createServer((request, response) => {
		let body = '';
		request.on('data', (chunk: Buffer) => {
			body += chunk.toString();
		});
		request.on('end', () => {
			received.push({method: request.method ?? '', url: request.url ?? '', headers: request.headers, body});
			const status = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
			response.writeHead(status, {'content-type': 'text/plain'});
			response.end(status === 200 ? 'ok' : 'invalid_payload');
		});
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const {port} = server.address() as AddressInfo;
	return {server, url: `http://127.0.0.1:${port}/services/T0001/B0001/s3cretW3bhookT0ken`, received};
}

testEachDialect('posts a Slack-compatible summary once; the webhook URL appears nowhere in the result or evidence', async (t, database) => {
	const hook = await webhookServer([200]);
	try {
		const outcome = await runJob(database, notify, {summary}, {options: {notifyWebhook: hook.url}});
		t.deepEqual(outcome.metrics, {notified: 1, attempts: 1});
		t.is(hook.received.length, 1);
		const request = hook.received[0]!;
		t.is(request.method, 'POST');
		t.is(request.url, '/services/T0001/B0001/s3cretW3bhookT0ken');
		t.regex(String(request.headers['content-type']), /application\/json/);
		const body = JSON.parse(request.body) as {text: string; blocks: Array<{type: string; text?: {text: string}}>};
		t.is(body.text, 'community-runbook stage 11, run run-42: 1 succeeded, 1 failed, 1 pending; verification FAILED (2 differences); evidence: /srv/app/storage/app/upgrade/stage11/20261125T190000Z-run-42');
		t.is(body.blocks[0]!.type, 'header');
		const stepText = body.blocks.map(block => block.text?.text ?? '').join('\n');
		t.regex(stepText, /\*backfill-membership\*: succeeded \(members_created 120, records_skipped 3\)/);
		t.regex(stepText, /\*verify\*: failed \(differences 2\)/);
		const everything = JSON.stringify({outcome: {...outcome, evidence: undefined}, steps: outcome.evidence.steps, events: outcome.events});
		t.false(everything.includes('s3cretW3bhookT0ken'));
		t.false(everything.includes(hook.url));
	} finally {
		hook.server.close();
	}
});

testEachDialect('retries after a 500 and succeeds on the second attempt', async (t, database) => {
	const hook = await webhookServer([500, 200]);
	try {
		const outcome = await runJob(database, notify, {summary}, {options: {notifyWebhook: hook.url}});
		t.is(outcome.status, 'succeeded');
		t.deepEqual(outcome.metrics, {notified: 1, attempts: 2});
		t.is(hook.received.length, 2);
		t.is(hook.received[0]!.body, hook.received[1]!.body);
		t.deepEqual(outcome.warnings, []);
	} finally {
		hook.server.close();
	}
});

testEachDialect('a webhook that always fails: 3 attempts, a warning, not fatal', async (t, database) => {
	const hook = await webhookServer([500]);
	try {
		const started = Date.now();
		const outcome = await runJob(database, notify, {summary}, {options: {notifyWebhook: hook.url}});
		t.is(outcome.status, 'succeeded');
		t.deepEqual(outcome.metrics, {notified: 0, attempts: 3});
		t.is(hook.received.length, 3);
		t.true(Date.now() - started >= 1400, 'backoff of 500 ms then 1 s');
		t.is(outcome.warnings.length, 1);
		t.regex(outcome.warnings[0]!, /after 3 attempts \(HTTP 500\)/);
		t.false(JSON.stringify(outcome.warnings).includes('s3cretW3bhookT0ken'));
		const run = await database.sql.get<{status: string; metrics: string}>('SELECT status, metrics FROM runbook_runs WHERE run_id = ?', [outcome.runId]);
		t.is(run!.status, 'succeeded');
		t.deepEqual(JSON.parse(run!.metrics), {notified: 0, attempts: 3});
	} finally {
		hook.server.close();
	}
});

testEachDialect('nothing listening: 3 attempts and a warning', async (t, database) => {
	const hook = await webhookServer([200]);
	hook.server.close();
	await once(hook.server, 'close');
	const outcome = await runJob(database, notify, {summary}, {options: {notifyWebhook: hook.url}});
	t.deepEqual(outcome.metrics, {notified: 0, attempts: 3});
	t.regex(outcome.warnings[0]!, /ECONNREFUSED/);
});

testEachDialect('no webhook configured: notified 0, skipped with a reason', async (t, database) => {
	const outcome = await runJob(database, notify, {summary}, {options: {}});
	t.deepEqual(outcome.metrics, {notified: 0, attempts: 0});
	t.deepEqual(outcome.result?.details, {skipped: 'no webhook configured'});
});

test('notifySkipReason', t => {
	t.is(notifySkipReason({}), 'no webhook configured');
	t.is(notifySkipReason({notifyWebhook: '  '}), 'no webhook configured');
	t.is(notifySkipReason({notifyWebhook: 'https://hooks.example.test/x'}), null);
});

test('summaryPayload without verification or evidence', t => {
	const payload = summaryPayload({run_id: 'r', steps: [], verification: null, evidence_dir: null});
	t.is(payload.text, 'community-runbook stage 11, run r: no steps; verification not run; no evidence folder');
});
