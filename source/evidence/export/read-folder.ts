import {readdir, readFile} from 'node:fs/promises';
import {basename, join, resolve} from 'node:path';
import {type EventLine, parseLine} from '../event-chain.js';
import {eventsName} from '../evidence-folder.js';
import {type Manifest, manifestName} from '../manifest.js';
import type {TableSnapshot} from '../snapshot.js';
import {type EvidenceCheck, verifyEvidence} from '../verify-evidence.js';
import {type StepView, viewStep} from './step-view.js';

// Everything an export needs, read once from the folder: manifest, steps, events, snapshots and the integrity check.

export type SnapshotView = {file: string; step: string; number: number; when: string; tables: TableSnapshot[]};

export type EvidenceContent = {
	dir: string;
	folder: string;
	manifest: Manifest | null;
	steps: StepView[];
	events: EventLine[];
	snapshots: SnapshotView[];
	integrity: EvidenceCheck;
};

export async function readEvidence(dir: string): Promise<EvidenceContent> {
	const folder = resolve(dir);
	const integrity = await verifyEvidence(folder);
	const manifest = (await readJson(join(folder, manifestName))) as Manifest | undefined;
	const steps: StepView[] = [];
	for (const name of await jsonFiles(join(folder, 'steps'))) {
		const record = await readJson(join(folder, 'steps', name));
		if (record && typeof record === 'object') {
			steps.push(viewStep(`steps/${name}`, record as Record<string, unknown>));
		}
	}

	const snapshots: SnapshotView[] = [];
	for (const name of await jsonFiles(join(folder, 'snapshots'))) {
		const value = (await readJson(join(folder, 'snapshots', name))) as Partial<SnapshotView> | undefined;
		if (value && Array.isArray(value.tables)) {
			const when = value.when ?? (name.endsWith('-before.json') ? 'before' : 'after');
			snapshots.push({file: `snapshots/${name}`, step: String(value.step ?? name), number: Number(value.number ?? 0), when, tables: value.tables});
		}
	}

	const eventsText = await readFile(join(folder, eventsName), 'utf8').catch(() => '');
	const events = eventsText
		.split('\n')
		.map(line => parseLine(line))
		.filter(event => event !== undefined);
	return {dir: folder, folder: basename(folder), manifest: manifest ?? null, steps, events, snapshots, integrity};
}

/** Per-table before/after pairs of one step. */
export function snapshotPairs(content: EvidenceContent, step: StepView): Array<{table: string; before?: TableSnapshot; after?: TableSnapshot}> {
	const of = (when: string) => content.snapshots.find(snapshot => snapshot.step === step.id && snapshot.number === step.number && snapshot.when === when)?.tables ?? [];
	const before = of('before');
	const after = of('after');
	const tables = [...new Set([...before, ...after].map(snapshot => snapshot.table))];
	return tables.map(table => ({table, before: before.find(item => item.table === table), after: after.find(item => item.table === table)}));
}

export function runIdOf(content: EvidenceContent): string {
	return content.manifest?.run_id ?? String((content.events[0]?.data as {run_id?: string} | undefined)?.run_id ?? content.folder.replace(/^\d{8}T\d{6}Z-/, ''));
}

export function databaseOf(content: EvidenceContent): string {
	const database = (content.manifest?.database ?? (content.events[0]?.data as {database?: unknown} | undefined)?.database) as Record<string, unknown> | undefined;
	return database ? `${String(database.driver ?? '?')} ${String(database.server_version ?? '')} / ${String(database.database ?? '?')}`.replace(/\s+\//, ' /') : 'unknown';
}

async function jsonFiles(dir: string): Promise<string[]> {
	const names = await readdir(dir).catch(() => [] as string[]);
	return names.filter(name => name.endsWith('.json')).sort();
}

async function readJson(path: string): Promise<unknown> {
	try {
		return JSON.parse(await readFile(path, 'utf8')) as unknown;
	} catch {
		return undefined;
	}
}
