import test from 'ava';
import type {CommandContext} from '../../source/cli/command.js';
import {globalOptionsSchema} from '../../source/cli/global-options.js';
import {openThrottle} from '../../source/cli/throttle-session.js';
import {PrerequisiteFailed, UsageError} from '../../source/core/errors.js';
import type {Database} from '../../source/db/orm.js';
import {freePort} from '../helpers/free-port.js';

function contextWith(options: Record<string, unknown>, warnings: string[] = []): CommandContext {
	return {global: globalOptionsSchema.parse(options), warn: (message: string) => warnings.push(message)} as unknown as CommandContext;
}

const noDatabase = {} as Database;

test('no --replica-url / --queue-url: no probe', async t => {
	const session = await openThrottle(contextWith({}), noDatabase);
	t.is(session.probe, undefined);
	await session.close();
});

test('a bad --queue-url is a usage error; an unreachable one fails before the run unless the check is left to the prerequisites step', async t => {
	await t.throwsAsync(openThrottle(contextWith({queueUrl: 'http://nope'}), noDatabase), {instanceOf: UsageError, message: /--queue-url/});
	const port = await freePort();
	const error = await t.throwsAsync(openThrottle(contextWith({queueUrl: `redis://127.0.0.1:${port}/0?queue=default`}), noDatabase), {instanceOf: PrerequisiteFailed});
	t.is(error.message, `Throttle probe not usable: queue unreachable: 127.0.0.1:${port}/0: connection refused.`);
	t.is(error.exitCode, 3);

	const warnings: string[] = [];
	const session = await openThrottle(contextWith({queueUrl: `redis://127.0.0.1:${port}/0?queue=default`, maxQueueDepth: '10'}, warnings), noDatabase, {check: false});
	t.deepEqual(await session.probe!(), {wait: true, reason: `queue unreachable: 127.0.0.1:${port}/0: connection refused`});
	t.is(warnings.length, 1);
	await session.close();
});
