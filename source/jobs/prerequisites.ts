import {statfs} from 'node:fs/promises';
import {z} from 'zod';
import type {Sql} from '../db/sql.js';
import {keyCheck, writeFormOf} from './platform/json-columns.js';
import {checkEncryptedValues, timeZoneCheck} from './platform/preflight.js';
import {checkPlatformSchema} from './platform/schema-check.js';
import {pendingRunbookMigrations} from '../db/orm.js';
import {readFlagState} from '../engine/feature-flags.js';
import {readHolder} from '../db/bookkeeping/run-lock.js';
import {checkThrottleProbes} from '../engine/throttle/index.js';
import type {CheckResult, Job, JobContext, JobResult} from '../engine/job.js';

const minimumFreeBytes = 200 * 1024 * 1024;

type Check = CheckResult['checks'][number];

/** Everything §5 step 1 names, read-only; the backup acknowledgement is the step's confirmation. */
async function runChecks(context: JobContext<unknown>): Promise<Check[]> {
	const {database} = context;
	const checks: Check[] = [];
	const version =
		database.sql.dialect === 'sqlite'
			? await database.sql.get<{v: string}>('SELECT sqlite_version() AS v')
			: await database.sql.get<{v: string}>('SELECT VERSION() AS v');
	checks.push({name: 'database reachable', ok: true, detail: `${database.sql.dialect === 'sqlite' ? 'SQLite' : 'MySQL/MariaDB'} ${String(version?.v ?? '?')}`});

	// The tables and columns every later step relies on, with their types (DESIGN.md §2).
	checks.push(...(await checkPlatformSchema(database.sql)));
	checks.push(timeZoneCheck(context.platform, await sessionTimeZone(database.sql)));

	const pending = await pendingRunbookMigrations(database);
	checks.push({name: 'runbook tables', ok: pending.length === 0, detail: pending.length === 0 ? 'migrated' : `pending migrations: ${pending.join(', ')}`});

	// Every encrypted value a later step reads must decrypt, and writing needs the key where the platform encrypts.
	if (checks.every(check => check.ok || !check.name.startsWith('table '))) {
		checks.push(keyCheck(context.platform, await writeFormOf(database.sql, context.platform)));
		checks.push(...(await checkEncryptedValues(database.sql, context.platform, [
			{table: 'communities', column: 'settings', where: 'deleted_at IS NULL'},
			{table: 'community_members', column: 'metadata'},
		])));
	}

	const flag = await readFlagState(context.appRoot, context.env, 'community_profile_activity');
	checks.push({name: 'flag community_profile_activity at 0 %', ok: !flag.on, detail: flag.on ? `already on at ${flag.percentage} % (roll back or turn it off first)` : 'off'});

	// A runbook session holds the lock from its start: its own hold is not another run's.
	const holder = await readHolder(database.sql);
	const other = holder && holder.runId !== context.session?.runId ? holder : undefined;
	checks.push({name: 'no other run holds the lock', ok: !other, detail: other ? `held by run ${other.runId} on ${other.host} (pid ${other.pid}) since ${other.acquiredAt}` : holder ? 'held by this session' : 'free'});

	const evidenceRoot = context.options.evidenceRoot;
	if (evidenceRoot) {
		const free = await statfs(evidenceRoot).then(stats => stats.bavail * stats.bsize, () => 0);
		checks.push({name: 'evidence folder has free disk', ok: free >= minimumFreeBytes, detail: `${Math.floor(free / 1024 / 1024)} MiB free at ${evidenceRoot}`});
	}

	checks.push(
		...(await checkThrottleProbes({
			replicaUrl: context.options.replicaUrl,
			queueUrl: context.options.queueUrl,
			maxReplicaLag: context.options.maxReplicaLag ?? 5,
			maxQueueDepth: context.options.maxQueueDepth ?? 1000,
			database,
		})),
	);
	return checks;
}

export const prerequisites: Job<Record<string, never>> = {
	name: 'prerequisites',
	parameters: z.object({}).passthrough() as unknown as z.ZodType<Record<string, never>>,
	semanticParams: () => ({}),
	touches: [],
	async check(context) {
		const checks = await runChecks(context);
		return {ok: checks.every(check => check.ok), checks};
	},
	async plan(context): Promise<JobResult> {
		const checks = await runChecks(context);
		return {metrics: {checks_passed: checks.filter(check => check.ok).length, checks_failed: checks.filter(check => !check.ok).length}, details: {checks}};
	},
	async execute(context): Promise<JobResult> {
		return prerequisites.plan(context);
	},
};

/** The database session's zone: MySQL/MariaDB convert TIMESTAMPs through it (DESIGN.md §2); SQLite has none. */
async function sessionTimeZone(sql: Sql): Promise<string | null> {
	if (sql.dialect === 'sqlite') {
		return null;
	}

	const row = await sql.get<{session: unknown; system: unknown}>('SELECT @@session.time_zone AS session, @@system_time_zone AS system');
	const session = String(row?.session ?? '?');
	return session === 'SYSTEM' ? `SYSTEM (${String(row?.system ?? '?')})` : session;
}
