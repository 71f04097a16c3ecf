// Throttle probes (DESIGN.md §6 "Throttle"): before each batch the engine asks whether to wait.
//
// Replica lag: --replica-url=mysql://<user>:<password>@<replica>:3306 → SHOW REPLICA STATUS (SHOW SLAVE STATUS on
// older servers), Seconds_Behind_Master (Seconds_Behind_Source on MySQL); NULL, i.e. a stopped SQL or IO thread,
// counts as lagging. Above --max-replica-lag (seconds) → wait.
// Queue depth: --queue-url=redis://[:<password>@]<host>:6379[/<db>][?queue=<name>][&prefix=<key prefix>] → LLEN
// <prefix>queues:<name> (queue "default" when not given); or --queue-url=jobs / jobs:<queue> → COUNT(*) of the
// platform's Laravel `jobs` table [for that queue]. Above --max-queue-depth → wait.
//
// A probe that cannot be reached during a run never fails the run: it warns (once per outage) and waits. Before
// the run, `checkThrottleProbes` reports an unreachable probe as a failed prerequisite (exit 3). Reasons name
// host:port only, never credentials.
import type {Database} from '../../db/orm.js';
import type {ThrottleProbe} from '../ports.js';
import {redactSecrets} from '../../core/redact.js';
import {describeError, type Gauge, jobsTableGauge, redisGauge, replicaGauge} from './gauges.js';
import {parseQueueUrl, parseReplicaUrl} from './throttle-targets.js';

export type ThrottleOptions = {
	readonly replicaUrl?: string | undefined;
	readonly maxReplicaLag: number;
	readonly queueUrl?: string | undefined;
	readonly maxQueueDepth: number;
	readonly database: Database;
};

export type ThrottleHandle = {readonly probe: ThrottleProbe; readonly close: () => Promise<void>};

export type ProbeCheck = {readonly name: string; readonly ok: boolean; readonly detail: string};

/** Parses the URLs (a bad one is a UsageError, exit 2) and builds the gauges; nothing connects yet. */
function gaugesFor(options: ThrottleOptions): Gauge[] {
	const gauges: Gauge[] = [];
	if (options.replicaUrl) {
		gauges.push(replicaGauge(parseReplicaUrl(options.replicaUrl), options.maxReplicaLag));
	}

	if (options.queueUrl) {
		const target = parseQueueUrl(options.queueUrl);
		gauges.push(target.kind === 'redis' ? redisGauge(target, options.maxQueueDepth) : jobsTableGauge(options.database, target.queue, options.maxQueueDepth));
	}

	return gauges;
}

/**
 * One probe over every configured gauge: wait when any says so (reasons joined with "; "). An unreachable gauge
 * warns once per outage and waits with `<name> unreachable: <host:port>: <why>`.
 */
export async function createThrottleProbe(options: ThrottleOptions & {readonly warn: (message: string) => void}): Promise<ThrottleHandle> {
	const gauges = gaugesFor(options);
	const outage = new Map<Gauge, string>();
	const probe: ThrottleProbe = async () => {
		const reasons: string[] = [];
		for (const gauge of gauges) {
			try {
				const reading = await gauge.read();
				outage.delete(gauge);
				if (reading.wait) reasons.push(redactSecrets(reading.reason ?? `${gauge.name} says wait`));
			} catch (error) {
				const reason = redactSecrets(`${gauge.name} unreachable: ${describeError(error, gauge.label)}`);
				if (outage.get(gauge) !== reason) {
					options.warn(`Throttle: ${reason}; waiting until it answers again.`);
					outage.set(gauge, reason);
				}

				reasons.push(reason);
			}
		}

		return reasons.length > 0 ? {wait: true, reason: reasons.join('; ')} : {wait: false, reason: null};
	};

	return {
		probe,
		async close() {
			await Promise.all(gauges.map(async gauge => gauge.close().catch(() => undefined)));
		},
	};
}

/** For the prerequisites step: one check per configured probe; unreachable → not ok (exit 3 before the run). */
export async function checkThrottleProbes(options: ThrottleOptions): Promise<ProbeCheck[]> {
	const gauges = gaugesFor(options);
	try {
		const checks: ProbeCheck[] = [];
		for (const gauge of gauges) {
			const result = await gauge.check();
			checks.push({name: gauge.name === 'replica' ? 'replica lag probe reachable' : 'queue depth probe reachable', ok: result.ok, detail: redactSecrets(result.detail)});
		}

		return checks;
	} finally {
		await Promise.all(gauges.map(async gauge => gauge.close().catch(() => undefined)));
	}
}
