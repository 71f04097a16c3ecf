import {existsSync, readFileSync, statSync} from 'node:fs';
import {readdir, readFile} from 'node:fs/promises';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {canonicalJson, sha256Hex} from './canonical-json.js';

// manifest.json (DESIGN.md §9): every file of the folder with its sha256, the chain head, the tool version, the git
// commit when known and the database fingerprint. It carries its own hash, so an edit of the manifest is named too.

export const manifestName = 'manifest.json';
export const manifestFormat = 'community-runbook-evidence/1';

export type ManifestFile = {readonly path: string; readonly sha256: string; readonly bytes: number};

export type Manifest = {
	readonly format: string;
	readonly run_id: string;
	readonly folder: string;
	readonly tool_version: string;
	readonly git_commit: string | null;
	readonly database: unknown;
	readonly command: string;
	readonly created_at: string | null;
	readonly finalized_at: string;
	readonly events: {readonly count: number; readonly chain_head: string};
	readonly files: ManifestFile[];
	readonly manifest_hash: string;
	readonly [key: string]: unknown;
};

/** Relative paths (with `/`) of every file under dir except the manifest, sorted. */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
	const entries = await readdir(join(dir, prefix), {withFileTypes: true});
	const files: string[] = [];
	for (const entry of entries) {
		const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
		if (entry.isDirectory()) {
			files.push(...(await listFiles(dir, relative)));
		} else if (relative !== manifestName) {
			files.push(relative);
		}
	}

	return files.sort();
}

export async function hashFiles(dir: string): Promise<ManifestFile[]> {
	const files: ManifestFile[] = [];
	for (const path of await listFiles(dir)) {
		const content = await readFile(join(dir, path));
		files.push({path, sha256: sha256Hex(content), bytes: content.length});
	}

	return files;
}

export function manifestHash(manifest: Record<string, unknown>): string {
	const {manifest_hash: _ignored, ...rest} = manifest;
	return sha256Hex(canonicalJson(rest));
}

export function sealManifest(body: Omit<Manifest, 'manifest_hash'>): Manifest {
	return {...body, manifest_hash: manifestHash(body)} as Manifest;
}

export function formatManifest(manifest: Record<string, unknown>): string {
	return JSON.stringify(manifest, null, 2) + '\n';
}

let cachedCommit: string | null | undefined;

/** The tool's git commit, read from .git without spawning git; null when not a checkout. */
export function gitCommit(start = dirname(fileURLToPath(import.meta.url))): string | null {
	if (cachedCommit !== undefined) {
		return cachedCommit;
	}

	cachedCommit = null;
	try {
		let folder = resolve(start);
		while (!existsSync(join(folder, '.git')) && dirname(folder) !== folder) {
			folder = dirname(folder);
		}

		let gitDir = join(folder, '.git');
		if (!existsSync(gitDir)) {
			return null;
		}

		if (statSync(gitDir).isFile()) {
			gitDir = resolve(folder, readFileSync(gitDir, 'utf8').replace(/^gitdir:\s*/, '').trim());
		}

		const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
		if (/^[\da-f]{40}$/.test(head)) {
			cachedCommit = head;
			return head;
		}

		const reference = /^ref:\s*(.+)$/.exec(head)?.[1];
		if (!reference) {
			return null;
		}

		const common = existsSync(join(gitDir, 'commondir')) ? resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim()) : gitDir;
		for (const base of [gitDir, common]) {
			if (existsSync(join(base, reference))) {
				cachedCommit = readFileSync(join(base, reference), 'utf8').trim();
				return cachedCommit;
			}

			const packed = join(base, 'packed-refs');
			if (existsSync(packed)) {
				const line = readFileSync(packed, 'utf8')
					.split('\n')
					.find(entry => entry.endsWith(` ${reference}`));
				if (line) {
					cachedCommit = line.split(' ')[0]!;
					return cachedCommit;
				}
			}
		}
	} catch {}

	return cachedCommit;
}
