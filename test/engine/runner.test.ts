import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {z} from 'zod';
import {fingerprintDatabase} from '../../source/db/fingerprint.js';
import test from 'ava';
import {LockHeld, OperatorAborted, UsageError} from '../../source/core/errors.js';
import {acquireRunLock} from '../../source/db/bookkeeping/run-lock.js';
import {loadRunbook} from '../../source/engine/runbook-schema.js';
import type {Decision, FailureChoice, Operator, RunEvent} from '../../source/engine/runner-events.js';
import {runRunbook} from '../../source/engine/runner.js';
import {EvidenceFolder} from '../../source/evidence/evidence-folder.js';
import {verifyEvidence} from '../../source/evidence/verify-evidence.js';
import type {Job} from '../../source/engine/job.js';
import {type TestDatabase, testEachDialect} from '../helpers/databases.js';
import {testPlatform} from '../helpers/platform.js';

type Calls = string[];

function fakeJob(name: string, calls: Calls, behaviour: {fail?: () => Error | undefined; metrics?: Record<string, number>} = {}): Job<Record<string, unknown>> {
	return {
		name,
		parameters: z.record(z.string(), z.unknown()),
		semanticParams: () => ({}),
		touches: [],
		async check() {
			return {ok: true, checks: []};
		},
		async plan() {
			calls.push(`${name}:plan`);
			return {metrics: behaviour.metrics ?? {rows: 3}};
		},
		async execute() {
			calls.push(`${name}:execute`);
			const error = behaviour.fail?.();
			if (error) {
				throw error;
			}

			return {metrics: behaviour.metrics ?? {rows: 3}};
		},
	};
}

const runbook = loadRunbook({
	id: 'test',
	title: 'Test runbook',
	steps: [
		{id: 'first', title: 'First', description: 'first step', phase: 'execute', job: 'alpha', confirmation: 'confirm'},
		{id: 'alpha-dry-run', title: 'Alpha dry run', description: 'dry', phase: 'dry-run', job: 'beta', confirmation: 'none'},
		{id: 'danger', title: 'Danger', description: 'dangerous', phase: 'execute', job: 'beta', confirmation: {policy: 'type-to-confirm', word: 'beta'}},
		{id: 'later', title: 'Later', description: 'not installed', phase: 'execute', job: 'missing', confirmation: 'confirm'},
		{id: 'undo', title: 'Undo', description: 'rollback', phase: 'rollback', job: 'rollback', confirmation: 'confirm', onDemand: true},
	],
});

function scriptedOperator(answers: Array<Decision['answer']>, onFailure: FailureChoice[] = []): Operator & {asked: string[]} {
	const asked: string[] = [];
	return {
		asked,
		async decide(request) {
			asked.push(request.step);
			return {answer: answers.shift() ?? 'abort', by: 'script', reason: 'scripted'};
		},
		async onFailure(request) {
			asked.push(`failure:${request.step}`);
			return onFailure.shift() ?? 'quit';
		},
		async onDrift() {
			return 'accept';
		},
	};
}

async function run(database: TestDatabase, registry: Record<string, Job<any>>, operator: Operator, extra: {resume?: boolean; evidenceRoot?: string; signal?: AbortSignal} = {}) {
	const evidenceRoot = extra.evidenceRoot ?? mkdtempSync(join(tmpdir(), 'runbook-runner-'));
	const fingerprint = await fingerprintDatabase(database);
	const events: RunEvent[] = [];
	const result = await runRunbook({
		runbook,
		registry,
		operator,
		onEvent: event => events.push(event),
		unfinished: extra.resume ? 'resume' : 'refuse',
		database,
		fingerprint,
		profile: 'testing',
		platform: testPlatform(),
		appRoot: evidenceRoot,
		env: {},
		options: {evidenceRoot},
		codeVersion: 'test',
		openEvidence: async (runId, existing) => (existing ? EvidenceFolder.open(existing) : EvidenceFolder.create(evidenceRoot, runId, {tool_version: 'test', database: fingerprint, command: 'run'})),
		snapshot: async () => [],
		dryRuns: async () => undefined,
		clock: {now: () => new Date()},
		self: {host: 'test-host', pid: process.pid, isAlive: () => true},
		signal: extra.signal ?? new AbortController().signal,
	});
	return {result, events, evidenceRoot};
}

testEachDialect('walks the steps in order, asks before confirm steps, marks a missing job unavailable, never runs on-demand steps', async (t, database) => {
	const calls: Calls = [];
	const operator = scriptedOperator(['run', 'run']);
	const {result, events} = await run(database, {alpha: fakeJob('alpha', calls), beta: fakeJob('beta', calls), rollback: fakeJob('rollback', calls)}, operator);
	t.deepEqual(calls, ['alpha:execute', 'beta:plan', 'beta:execute']);
	t.deepEqual(operator.asked, ['first', 'danger']);
	t.is(result.status, 'succeeded');
	t.deepEqual(
		result.steps.map(step => [step.id, step.status]),
		[
			['first', 'succeeded'],
			['alpha-dry-run', 'succeeded'],
			['danger', 'succeeded'],
			['later', 'skipped'],
			['undo', 'skipped'],
		],
	);
	const types = events.map(event => `${event.type}${'step' in event ? `:${event.step}` : ''}`);
	t.deepEqual(types.slice(0, 5), ['run-started', 'step-started:first', 'awaiting-approval:first', 'approval:first', 'step-finished:first']);
	t.true(types.includes('step-skipped:later'));
	t.is(types.at(-1), 'run-finished');
	const approval = events.find(event => event.type === 'awaiting-approval' && event.step === 'danger');
	t.like(approval, {request: {policy: 'type-to-confirm', word: 'beta', planned: {rows: 3}}});
	t.true((await verifyEvidence(result.evidenceDir)).ok);
});

testEachDialect('never executes a step the operator did not approve: skip records a reason, abort stops with 130', async (t, database) => {
	const calls: Calls = [];
	const {result} = await run(database, {alpha: fakeJob('alpha', calls), beta: fakeJob('beta', calls)}, scriptedOperator(['skip', 'abort']));
	t.deepEqual(calls, ['beta:plan']);
	t.is(result.status, 'aborted');
	t.is(result.exitCode, 130);
	t.like(result.steps[0], {id: 'first', status: 'skipped', reason: 'scripted'});
	t.like(result.steps[2], {id: 'danger', status: 'aborted'});
});

testEachDialect('a failed step offers retry, and a retry that succeeds continues the run', async (t, database) => {
	const calls: Calls = [];
	let failures = 1;
	const flaky = fakeJob('beta', calls, {fail: () => (failures-- > 0 ? new UsageError('transient') : undefined)});
	const operator = scriptedOperator(['run', 'run'], ['retry']);
	const {result} = await run(database, {alpha: fakeJob('alpha', calls), beta: flaky}, operator);
	t.deepEqual(calls, ['alpha:execute', 'beta:plan', 'beta:execute', 'beta:execute']);
	t.deepEqual(operator.asked, ['first', 'danger', 'failure:danger']);
	t.is(result.status, 'succeeded');
});

testEachDialect('quit after a failure stops with the error code; resume continues after the last finished step', async (t, database) => {
	const calls: Calls = [];
	let broken = true;
	const registry = {alpha: fakeJob('alpha', calls), beta: fakeJob('beta', calls, {fail: () => (broken ? new UsageError('broken') : undefined)})};
	const first = await run(database, registry, scriptedOperator(['run', 'run'], ['quit']));
	t.is(first.result.status, 'failed');
	t.is(first.result.exitCode, 2);
	t.like(first.result.steps[2], {status: 'failed', error: {code: 2, message: 'broken'}});

	broken = false;
	calls.length = 0;
	const operator = scriptedOperator(['run']);
	const second = await run(database, registry, operator, {resume: true, evidenceRoot: first.evidenceRoot});
	t.is(second.result.runId, first.result.runId);
	t.is(second.result.evidenceDir, first.result.evidenceDir);
	t.deepEqual(calls, ['beta:execute']);
	t.deepEqual(operator.asked, ['danger']);
	t.is(second.result.status, 'succeeded');
	t.true((await verifyEvidence(second.result.evidenceDir)).ok);
});

testEachDialect('an abort inside a job ends the run as aborted (130) without asking', async (t, database) => {
	const calls: Calls = [];
	const operator = scriptedOperator(['run', 'run']);
	const {result} = await run(database, {alpha: fakeJob('alpha', calls), beta: fakeJob('beta', calls, {fail: () => new OperatorAborted('stopped')})}, operator);
	t.is(result.status, 'aborted');
	t.is(result.exitCode, 130);
	t.false(operator.asked.some(step => step.startsWith('failure:')));
});

testEachDialect('the session holds the run lock from its start to its end: another run cannot slip in between steps', async (t, database) => {
	const calls: Calls = [];
	const attempts: string[] = [];
	const operator: Operator = {
		...scriptedOperator([]),
		async decide(request) {
			// Between two steps, another process tries to start a run on the same database.
			const intruder = await acquireRunLock(database, `intruder-${request.step}`, {host: 'other-host', pid: 4242, isAlive: () => true}, {now: () => new Date()}).then(
				async lock => {
					await lock.release();
					return 'got the lock';
				},
				(error: unknown) => (error instanceof LockHeld ? 'LockHeld' : String(error)),
			);
			attempts.push(`${request.step}: ${intruder}`);
			return {answer: 'run', by: 'script'};
		},
	};
	const {result} = await run(database, {alpha: fakeJob('alpha', calls), beta: fakeJob('beta', calls)}, operator);
	t.is(result.status, 'succeeded');
	t.deepEqual(attempts, ['first: LockHeld', 'danger: LockHeld']);
	t.is(await database.sql.get('SELECT run_id FROM runbook_locks'), undefined, 'released at the end');
});

testEachDialect('a step reuses what an earlier step resolved (needs): the execution filters with the dry run\'s since', async (t, database) => {
	const seen: Array<Record<string, unknown>> = [];
	let clock = Date.parse('2026-11-25T19:00:00Z');
	const resolving: Job<Record<string, unknown>> = {
		...fakeJob('since-job', []),
		async plan() {
			return {metrics: {rows: 1}, resolved: {sinceAt: new Date(clock - 90 * 86_400_000).toISOString()}};
		},
		async execute(context) {
			seen.push(context.params);
			return {metrics: {rows: 1}};
		},
	};
	const book = loadRunbook({
		id: 'needs',
		title: 'Needs',
		steps: [
			{id: 'plan-it', title: 'Plan', description: 'dry run', phase: 'dry-run', job: 'since-job', params: {since: '-90 days'}, confirmation: 'none'},
			{id: 'do-it', title: 'Do', description: 'execute', phase: 'execute', job: 'since-job', params: {since: '-90 days'}, needs: {sinceAt: {step: 'plan-it', value: 'resolved.sinceAt'}, session: {value: 'run-id'}}, confirmation: 'confirm'},
		],
	});
	const fingerprint = await fingerprintDatabase(database);
	const evidenceRoot = mkdtempSync(join(tmpdir(), 'runbook-needs-'));
	const result = await runRunbook({
		runbook: book,
		registry: {'since-job': resolving},
		operator: {
			...scriptedOperator([]),
			async decide() {
				clock += 3_600_000; // The operator takes an hour before approving the execution.
				return {answer: 'run', by: 'script'};
			},
		},
		onEvent() {},
		unfinished: 'refuse',
		database,
		fingerprint,
		profile: 'testing',
		platform: testPlatform(),
		appRoot: evidenceRoot,
		env: {},
		options: {evidenceRoot},
		codeVersion: 'test',
		openEvidence: async runId => EvidenceFolder.create(evidenceRoot, runId, {tool_version: 'test', database: fingerprint, command: 'run'}),
		snapshot: async () => [],
		dryRuns: async () => undefined,
		clock: {now: () => new Date(clock)},
		self: {host: 'test-host', pid: process.pid, isAlive: () => true},
		signal: new AbortController().signal,
	});
	t.is(result.status, 'succeeded');
	t.deepEqual(seen, [{since: '-90 days', sinceAt: '2026-08-27T19:00:00.000Z', session: result.runId}]);
	const parent = await database.sql.get<{parent_run_id: string}>('SELECT parent_run_id FROM runbook_runs WHERE run_id = ?', [result.steps[1]!.run_id]);
	t.is(parent?.parent_run_id, result.runId, 'the job run names its session');
});

test('a runbook whose step needs a later (or unknown) step is rejected at load', t => {
	const error = t.throws(() =>
		loadRunbook({
			id: 'bad',
			title: 'Bad',
			steps: [
				{id: 'a', title: 'A', description: 'a', phase: 'execute', job: 'x', needs: {run: {step: 'b', value: 'run-id'}}, confirmation: 'none'},
				{id: 'b', title: 'B', description: 'b', phase: 'execute', job: 'x', confirmation: 'none'},
			],
		}),
	);
	t.regex(error!.message, /step a needs b, which is not an earlier step/);
});
