import type {Database} from '../db/orm.js';
import {PrerequisiteFailed} from '../core/errors.js';
import type {ThrottleProbe} from '../engine/ports.js';
import {checkThrottleProbes, createThrottleProbe} from '../engine/throttle/index.js';
import type {CommandContext} from './command.js';

export type ThrottleSession = {readonly probe: ThrottleProbe | undefined; readonly close: () => Promise<void>};

/**
 * The throttle probes the global options ask for (--replica-url, --queue-url), or none. A bad URL is a usage error
 * (exit 2). With `check` (single job commands), an unreachable probe fails before the run (exit 3); `run` leaves
 * that to its prerequisites step. During the run an unreachable probe only warns and waits.
 */
export async function openThrottle(context: CommandContext, database: Database, options: {readonly check?: boolean} = {}): Promise<ThrottleSession> {
	const {replicaUrl, queueUrl, maxReplicaLag, maxQueueDepth} = context.global;
	if (!replicaUrl && !queueUrl) {
		return {probe: undefined, async close() {}};
	}

	const settings = {replicaUrl, queueUrl, maxReplicaLag, maxQueueDepth, database};
	if (options.check ?? true) {
		const failed = (await checkThrottleProbes(settings)).filter(check => !check.ok);
		if (failed.length > 0) {
			throw new PrerequisiteFailed(`Throttle probe not usable: ${failed.map(check => check.detail).join('; ')}.`, {
				hint: 'Fix --replica-url / --queue-url (or drop them to run unthrottled) and run again.',
			});
		}
	}

	const handle = await createThrottleProbe({...settings, warn: context.warn});
	return {probe: handle.probe, close: handle.close};
}
