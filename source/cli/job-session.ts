import {hostname} from 'node:os';
import process from 'node:process';
import type {ProcessIdentity} from '../core/identity.js';
import {registerSecret} from '../core/redact.js';
import type {DatabaseFingerprint} from '../db/fingerprint.js';
import {fingerprintDatabase} from '../db/fingerprint.js';
import type {Database} from '../db/orm.js';
import type {JobOptions} from '../engine/job.js';
import type {EngineEvent} from '../engine/ports.js';
import {findLatestDryRun} from '../evidence/dry-run-store.js';
import {takeSnapshot} from '../evidence/snapshot.js';
import {createJsonLinesReporter} from '../reporters/json-lines.js';
import {createPlainReporter} from '../reporters/plain.js';
import type {CommandContext} from './command.js';
import {resolvePlatformSettings} from './platform-settings.js';
import type {PlatformSettings} from '../core/platform-settings.js';
import {toolVersion} from './tool-version.js';

/** This process, for locks and runbook_runs; the only place that reads pid/host and probes other pids. */
export const processIdentity: ProcessIdentity = {
	host: hostname(),
	pid: process.pid,
	isAlive(pid) {
		try {
			process.kill(pid, 0);
			return true;
		} catch (error) {
			return (error as NodeJS.ErrnoException).code === 'EPERM';
		}
	},
};

export type JobSession = {
	readonly database: Database;
	readonly platform: PlatformSettings;
	readonly fingerprint: DatabaseFingerprint;
	readonly emit: (event: EngineEvent) => void;
	readonly jobOptions: JobOptions;
	readonly close: () => Promise<void>;
};

/** Opens what a job command needs: the database, its fingerprint, the reporters for --events / progress. */
export async function openJobSession(context: CommandContext, options: {readonly migrate?: boolean} = {}): Promise<JobSession> {
	const {global, terminal} = context;
	registerSecret(global.notifyWebhook ?? terminal.env.RUNBOOK_NOTIFY_WEBHOOK);
	// The platform's settings first: a bad --app-timezone or key is bad input, reported before connecting.
	const platform = await resolvePlatformSettings(global, context.appRoot, terminal.env);
	const database = await context.connect({migrate: options.migrate});
	try {
		const fingerprint = await fingerprintDatabase(database);
		const write = (line: string) => terminal.stderr.write(`${line}\n`);
		const emit = global.events === 'json' ? createJsonLinesReporter(write) : global.output === 'json' ? () => {} : createPlainReporter(write);
		return {
			database,
			platform,
			fingerprint,
			emit,
			jobOptions: {
				adaptive: global.adaptive,
				restart: global.restart,
				breakLock: global.breakLock,
				replicaUrl: global.replicaUrl,
				maxReplicaLag: global.maxReplicaLag,
				queueUrl: global.queueUrl,
				maxQueueDepth: global.maxQueueDepth,
				notifyWebhook: global.notifyWebhook ?? terminal.env.RUNBOOK_NOTIFY_WEBHOOK,
				evidenceRoot: context.evidenceRoot,
			},
			async close() {
				await database.close();
			},
		};
	} catch (error) {
		await database.close();
		throw error;
	}
}

/** What every job step started from the command line shares: database, evidence lookups, clock, identity, signal, hooks. */
export function stepPorts(context: CommandContext, session: JobSession) {
	return {
		database: session.database,
		fingerprint: session.fingerprint,
		profile: context.profile,
		appRoot: context.appRoot,
		platform: session.platform,
		env: context.terminal.env,
		options: session.jobOptions,
		codeVersion: toolVersion,
		snapshot: async (tables: readonly string[]) => takeSnapshot(session.database.sql, tables),
		dryRuns: async (query: Parameters<typeof findLatestDryRun>[1]) => findLatestDryRun(context.evidenceRoot, query),
		clock: {now: () => new Date()},
		self: processIdentity,
		signal: context.signal,
		afterBatch: context.hooks.afterBatch,
	};
}
