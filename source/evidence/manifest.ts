import {readdir, readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {canonicalJson, sha256 as sha256Hex} from '../core/canonical-json.js';
import {lineHashes} from './line-hashes.js';

// manifest.json (DESIGN.md §9): every file of the folder with its sha256, the chain head, the tool version, the git
// commit when known and the database fingerprint. Each file also gets short per-line hashes (so a changed byte is
// named with its line), and the manifest carries its own hash and line hashes, so an edit of it is named too.

export const manifestName = 'manifest.json';
export const manifestFormat = 'community-runbook-evidence/1';

export type ManifestFile = {readonly path: string; readonly sha256: string; readonly bytes: number; readonly line_hashes?: string};

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
	readonly line_hashes: string;
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
		const entry = {path, sha256: sha256Hex(content), bytes: content.length};
		// events.jsonl names its own lines through the chain.
		files.push(path === 'events.jsonl' ? entry : {...entry, line_hashes: lineHashes(content.toString('utf8'))});
	}

	return files;
}

export function manifestHash(manifest: Record<string, unknown>): string {
	const {manifest_hash: _ignored, ...rest} = manifest;
	return sha256Hex(canonicalJson(rest));
}

export function sealManifest(body: Omit<Manifest, 'manifest_hash' | 'line_hashes'>): Manifest {
	const withLines = {...body, line_hashes: lineHashes(manifestBodyText(body), true)};
	return {...withLines, manifest_hash: manifestHash(withLines)} as Manifest;
}

/** The manifest without its two seals, pretty-printed; its lines are the manifest file's lines (bar the last). */
export function manifestBodyText(manifest: Record<string, unknown>): string {
	const {line_hashes: _lines, manifest_hash: _hash, ...body} = manifest;
	return JSON.stringify(body, null, 2).replace(/\n}$/, '');
}

export function formatManifest(manifest: Record<string, unknown>): string {
	return JSON.stringify(manifest, null, 2) + '\n';
}
