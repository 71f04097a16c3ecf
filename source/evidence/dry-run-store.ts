import {readdir, readFile} from 'node:fs/promises';
import {join} from 'node:path';
import type {DatabaseFingerprint} from './evidence-folder.js';

// The execute step's drift check (DESIGN.md §6 "Dry-run fidelity") compares with the newest dry run of the same job,
// semantic parameters and database, found among the step records of every evidence folder under the root.

export type DryRunQuery = {job: string; semanticHash: string; database: DatabaseFingerprint};
export type DryRunFound = {runId: string; metrics: Record<string, number>; file: string};

type DryRunRecord = {
	job?: unknown;
	mode?: unknown;
	status?: unknown;
	semantic_hash?: unknown;
	database?: Partial<DatabaseFingerprint>;
	metrics?: unknown;
	finished_at?: unknown;
	run_id?: unknown;
};

export async function findLatestDryRun(root: string, query: DryRunQuery): Promise<DryRunFound | undefined> {
	let best: (DryRunFound & {finishedAt: number}) | undefined;
	for (const folder of await entries(root)) {
		const steps = join(root, folder, 'steps');
		for (const name of (await entries(steps)).filter(entry => entry.endsWith('.json'))) {
			const file = join(steps, name);
			const record = await readRecord(file);
			if (!record || !matches(record, query)) {
				continue;
			}

			const finishedAt = Date.parse(String(record.finished_at).replace(' ', 'T'));
			if (!best || finishedAt > best.finishedAt) {
				const runId = typeof record.run_id === 'string' ? record.run_id : folder.replace(/^\d{8}T\d{6}Z-/, '');
				best = {runId, metrics: numbers(record.metrics as Record<string, unknown>), file, finishedAt};
			}
		}
	}

	if (!best) {
		return undefined;
	}

	const {finishedAt: _finishedAt, ...found} = best;
	return found;
}

function matches(record: DryRunRecord, query: DryRunQuery): boolean {
	const database = record.database ?? {};
	return (
		record.job === query.job &&
		record.mode === 'dry-run' &&
		(record.status === undefined || record.status === 'succeeded') &&
		record.semantic_hash === query.semanticHash &&
		database.driver === query.database.driver &&
		database.server_version === query.database.server_version &&
		database.database === query.database.database &&
		Boolean(record.metrics) &&
		typeof record.metrics === 'object' &&
		!Number.isNaN(Date.parse(String(record.finished_at).replace(' ', 'T')))
	);
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
