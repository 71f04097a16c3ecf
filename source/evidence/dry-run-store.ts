import {readdir, readFile} from 'node:fs/promises';
import {join} from 'node:path';
import type {DatabaseFingerprint} from './evidence-folder.js';

// The execute step's drift check (DESIGN.md §6 "Dry-run fidelity") compares with the newest succeeded dry run of the
// same job, semantic parameters and database (driver and name; a server upgrade does not matter) among the step
// records of every evidence folder under the root — if it finished after the last successful execution of that job
// on that database: an execution consumes the dry run before it.

export type DryRunQuery = {job: string; semanticHash: string; database: DatabaseFingerprint};
export type DryRunFound = {runId: string; metrics: Record<string, number>; file: string; finishedAt: string};

type DryRunRecord = {
	job?: unknown;
	mode?: unknown;
	status?: unknown;
	semantic_hash?: unknown;
	database?: Partial<DatabaseFingerprint>;
	metrics?: unknown;
	finished_at?: unknown;
	run_id?: unknown;
	work_done?: unknown;
};

export async function findLatestDryRun(root: string, query: DryRunQuery): Promise<DryRunFound | undefined> {
	let best: (DryRunFound & {at: number}) | undefined;
	let lastExecution = Number.NEGATIVE_INFINITY;
	for (const folder of await entries(root)) {
		const steps = join(root, folder, 'steps');
		for (const name of (await entries(steps)).filter(entry => entry.endsWith('.json'))) {
			const file = join(steps, name);
			const record = await readRecord(file);
			if (!record || !sameJobAndDatabase(record, query)) {
				continue;
			}

			const at = Date.parse(String(record.finished_at).replace(' ', 'T'));
			if (record.mode === 'execute' && (record.work_done === true || record.status === 'succeeded')) {
				lastExecution = Math.max(lastExecution, at);
			} else if (isDryRunOf(record, query) && (!best || at > best.at)) {
				const runId = typeof record.run_id === 'string' ? record.run_id : folder.replace(/^\d{8}T\d{6}Z-/, '');
				best = {runId, metrics: numbers(record.metrics as Record<string, unknown>), file, finishedAt: String(record.finished_at), at};
			}
		}
	}

	if (!best || best.at <= lastExecution) {
		return undefined;
	}

	const {at: _at, ...found} = best;
	return found;
}

function sameJobAndDatabase(record: DryRunRecord, query: DryRunQuery): boolean {
	const database = record.database ?? {};
	return record.job === query.job && database.driver === query.database.driver && database.database === query.database.database && !Number.isNaN(Date.parse(String(record.finished_at).replace(' ', 'T')));
}

function isDryRunOf(record: DryRunRecord, query: DryRunQuery): boolean {
	return record.mode === 'dry-run' && (record.status === undefined || record.status === 'succeeded') && record.semantic_hash === query.semanticHash && Boolean(record.metrics) && typeof record.metrics === 'object';
}

function numbers(metrics: Record<string, unknown>): Record<string, number> {
	return Object.fromEntries(Object.entries(metrics).filter(([, value]) => typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))).map(([key, value]) => [key, Number(value)]));
}

async function entries(dir: string): Promise<string[]> {
	try {
		return await readdir(dir);
	} catch {
		return [];
	}
}

async function readRecord(file: string): Promise<DryRunRecord | undefined> {
	try {
		const value = JSON.parse(await readFile(file, 'utf8')) as unknown;
		return value && typeof value === 'object' && !Array.isArray(value) ? (value as DryRunRecord) : undefined;
	} catch {
		return undefined;
	}
}
