import {constants} from 'node:fs';
import {access, type FileHandle, mkdir, open, readFile, statfs, truncate} from 'node:fs/promises';
import {basename, dirname, isAbsolute, join, normalize, resolve} from 'node:path';
import {PrerequisiteFailed, UsageError} from '../core/errors.js';
import {redactSecrets, redactValue} from '../core/redact.js';
import {chainEvent, formatEventLine, parseLine} from './event-chain.js';
import {gitCommit} from './git-commit.js';
import {formatManifest, hashFiles, manifestFormat, manifestName, sealManifest} from './manifest.js';
import {fileMode, folderMode, makePrivateFolder, writePrivateFile} from './private-files.js';
import {toPlainData} from './plain-data.js';
import type {TableSnapshot} from './snapshot.js';

// One run's evidence folder (DESIGN.md §9): a hash-chained events.jsonl, step records, table snapshots and, at the
// end, manifest.json. Everything written here is redacted first; files are 0600 and folders 0700.

export type {DatabaseFingerprint} from '../db/fingerprint.js';
import type {DatabaseFingerprint} from '../db/fingerprint.js';
export type EvidenceMeta = {tool_version: string; database: DatabaseFingerprint; command: string};
export type CreateOptions = {readonly minFreeBytes?: number};

export const eventsName = 'events.jsonl';
export const minFreeBytes = 50 * 1024 * 1024;
const safeName = /^[\w.-]+$/;

export class EvidenceFolder {
	static async create(root: string, runId: string, meta: EvidenceMeta, now = new Date(), options: CreateOptions = {}): Promise<EvidenceFolder> {
		if (!safeName.test(runId)) {
			throw new UsageError(`Run id "${runId}" cannot name an evidence folder.`, {hint: 'Use letters, digits, dots, dashes and underscores only.'});
		}

		const rootPath = resolve(root);
		await ensureWritable(rootPath, options.minFreeBytes ?? minFreeBytes);
		const dir = join(rootPath, `${folderStamp(now)}-${runId}`);
		for (const folder of [dir, join(dir, 'steps'), join(dir, 'snapshots')]) {
			await makePrivateFolder(folder);
		}

		const folder = new EvidenceFolder(dir, runId, redactValue(meta), now.toISOString());
		await folder.appendEvent({step: null, type: 'evidence-opened', data: {run_id: runId, ...meta}}, now);
		await folder.flush();
		return folder;
	}

	/** Continues an existing folder (resume): the chain goes on from its last line (a torn last line is cut off) with an
	 * `evidence-reopened` event; call finalize() again at the end. */
	static async open(dir: string): Promise<EvidenceFolder> {
		const path = join(resolve(dir), eventsName);
		let text: string;
		try {
			text = await readFile(path, 'utf8');
		} catch {
			throw new UsageError(`${dir} is not an evidence folder (no readable ${eventsName}).`, {hint: 'Pass a folder written by community-runbook.'});
		}

		const end = text.lastIndexOf('\n') + 1;
		const torn = Buffer.byteLength(text.slice(end));
		if (torn > 0) {
			await truncate(path, Buffer.byteLength(text.slice(0, end)));
		}

		const events = text
			.slice(0, end)
			.split('\n')
			.map(line => parseLine(line))
			.filter(event => event !== undefined);
		const opened = events.find(event => event.type === 'evidence-opened');
		const data = (opened?.data ?? {}) as Partial<EvidenceMeta> & {run_id?: string};
		const runId = data.run_id ?? basename(dir).replace(/^\d{8}T\d{6}Z-/, '');
		const meta = {tool_version: data.tool_version ?? 'unknown', database: data.database ?? {driver: 'sqlite', server_version: 'unknown', database: 'unknown'}, command: data.command ?? ''};
		const folder = new EvidenceFolder(resolve(dir), runId, meta as EvidenceMeta, opened?.at ?? null);
		const last = events.at(-1);
		folder.last = last ? {seq: last.seq, hash: last.hash} : undefined;
		await folder.appendEvent({step: null, type: 'evidence-reopened', data: {previous_events: folder.eventCount, torn_bytes_removed: torn}});
		return folder;
	}

	private queue: Promise<unknown> = Promise.resolve();
	private last: {seq: number; hash: string} | undefined;
	private handle: FileHandle | undefined;

	private constructor(
		readonly dir: string,
		readonly runId: string,
		readonly meta: EvidenceMeta,
		private readonly createdAt: string | null,
	) {}

	get eventCount(): number {
		return this.last?.seq ?? 0;
	}

	/** Appends one chained line; calls are serialized so concurrent appends keep their order. */
	async appendEvent(event: {step: string | null; type: string; data: unknown}, now = new Date()): Promise<void> {
		return this.enqueue(async () => {
			const line = chainEvent(this.last, {at: now.toISOString(), step: event.step, type: event.type, data: redactValue(toPlainData(event.data))});
			const handle = await this.eventsHandle();
			await handle.write(formatEventLine(line) + '\n');
			this.last = {seq: line.seq, hash: line.hash};
		});
	}

	/** fsyncs events.jsonl (at step boundaries). */
	async flush(): Promise<void> {
		return this.enqueue(async () => this.handle?.sync());
	}

	async writeStep(number: number, stepId: string, record: Record<string, unknown>): Promise<string> {
		return this.writeJson(join('steps', `${stepPrefix(number, stepId)}.json`), record);
	}

	async writeSnapshot(number: number, stepId: string, when: 'before' | 'after', snapshot: readonly TableSnapshot[]): Promise<string> {
		return this.writeJson(join('snapshots', `${stepPrefix(number, stepId)}-${when}.json`), {step: stepId, number, when, tables: snapshot});
	}

	/** Any other artefact (dry-run samples, reports), redacted, 0600. */
	async writeFile(relativePath: string, content: string): Promise<string> {
		const relative = normalize(relativePath);
		if (isAbsolute(relative) || relative.startsWith('..') || relative === manifestName || relative === eventsName) {
			throw new UsageError(`Evidence file "${relativePath}" must be a new path inside the evidence folder.`);
		}

		const path = join(this.dir, relative);
		if (dirname(path) !== this.dir) {
			await makePrivateFolder(dirname(path));
		}

		await writePrivateFile(path, redactSecrets(content));
		return path;
	}

	/** Writes manifest.json over every file; may be called again after more evidence was added. */
	async finalize(extra: Record<string, unknown> = {}, now = new Date()): Promise<string> {
		await this.flush();
		await this.close();
		const manifest = sealManifest({
			...(redactValue(toPlainData(extra)) as Record<string, unknown>),
			format: manifestFormat,
			run_id: this.runId,
			folder: basename(this.dir),
			tool_version: this.meta.tool_version,
			git_commit: gitCommit(),
			database: this.meta.database,
			command: redactSecrets(this.meta.command),
			created_at: this.createdAt,
			finalized_at: now.toISOString(),
			events: {count: this.last?.seq ?? 0, chain_head: this.last?.hash ?? '0'.repeat(64)},
			files: await hashFiles(this.dir),
		});
		const path = join(this.dir, manifestName);
		await writePrivateFile(path, formatManifest(manifest));
		return path;
	}

	/** Closes events.jsonl; a later append reopens it. */
	async close(): Promise<void> {
		return this.enqueue(async () => {
			const handle = this.handle;
			this.handle = undefined;
			await handle?.close();
		});
	}

	private async writeJson(relative: string, value: unknown): Promise<string> {
		const path = join(this.dir, relative);
		await writePrivateFile(path, JSON.stringify(redactValue(toPlainData(value)), null, 2) + '\n');
		return path;
	}

	private async eventsHandle(): Promise<FileHandle> {
		this.handle ??= await open(join(this.dir, eventsName), 'a', fileMode);
		return this.handle;
	}

	private async enqueue<T>(work: () => Promise<T>): Promise<T> {
		const task = this.queue.then(work);
		this.queue = task.catch(() => undefined);
		return task;
	}
}

/** `20261125T191200Z`. */
export function folderStamp(now: Date): string {
	return now.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(/[-:]/g, '');
}

function stepPrefix(number: number, stepId: string): string {
	if (!safeName.test(stepId) || !Number.isSafeInteger(number) || number < 0) {
		throw new UsageError(`Step "${stepId}" (${number}) cannot name an evidence file.`);
	}

	return `${String(number).padStart(2, '0')}-${stepId}`;
}

async function ensureWritable(root: string, needed: number): Promise<void> {
	const hint = 'Pass --evidence-dir=<a writable folder with free space>, or fix the folder\'s permissions.';
	try {
		await mkdir(root, {recursive: true, mode: folderMode});
		await access(root, constants.W_OK | constants.X_OK);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code ?? 'error';
		throw new PrerequisiteFailed(`The evidence folder ${root} is not writable (${code}).`, {hint, cause: error});
	}

	const stats = await statfs(root);
	const free = Number(stats.bavail) * Number(stats.bsize);
	if (free < needed) {
		const mib = (bytes: number) => `${Math.floor(bytes / 1024 / 1024)} MiB`;
		throw new PrerequisiteFailed(`Only ${mib(free)} free on the disk of the evidence folder ${root}; ${mib(needed)} are needed.`, {hint});
	}
}
