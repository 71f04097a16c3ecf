import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {z} from 'zod';
import {fingerprintDatabase} from '../../source/db/fingerprint.js';
import {OperatorAborted, UsageError} from '../../source/core/errors.js';
import {loadRunbook} from '../../source/engine/runbook-schema.js';
import type {Decision, FailureChoice, Operator, RunEvent} from '../../source/engine/runner-events.js';
import {runRunbook} from '../../source/engine/runner.js';
import {EvidenceFolder} from '../../source/evidence/evidence-folder.js';
import {verifyEvidence} from '../../source/evidence/verify-evidence.js';
import type {Job} from '../../source/engine/job.js';
import {type TestDatabase, testEachDialect} from '../helpers/databases.js';

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
