import {randomBytes} from 'node:crypto';
import {mkdir, open, readFile, rename, rm, stat} from 'node:fs/promises';
import {basename, dirname, join, relative, sep} from 'node:path';
import {sha256} from '../core/canonical-json.js';

// The platform's flag files as TEXT (DESIGN.md §2): what enable-feature reads before it writes (for the undo log,
// byte for byte) and how it writes them (temp file in the same folder, fsync, rename: readers see the old file or
// the new one, never half of one). engine/feature-flags.ts decides what the files MEAN; this module only moves bytes.

/** A file's exact contents, or null when it does not exist. */
export async function readTextOrNull(path: string): Promise<string | null> {
	try {
		return await readFile(path, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return null;
		}

		throw error;
	}
}

/** `{ "<flag>": … }` as the platform writes it: 2-space indent and a trailing newline. */
export function prettyJson(value: unknown): string {
	return `${JSON.stringify(value, null, 2)}\n`;
}

/** sha256 hex of a file's contents: the `after_hash` of a `file` undo row. */
export function contentHash(content: string): string {
	return sha256(content);
}

/** The path as the undo log names it: relative to the app root, with forward slashes. */
export function appRelative(appRoot: string, path: string): string {
	return relative(appRoot, path).split(sep).join('/');
}

export type StagedFile = {
	readonly path: string;
	readonly temporary: string;
	/** Moves the staged file into place (atomic on one filesystem). */
	readonly commit: () => Promise<void>;
	/** Removes the staged file (when the transaction that records it failed). */
	readonly discard: () => Promise<void>;
};

/**
 * Writes `content` to a temp file next to `path` (creating the folder if missing), fsyncs it, and returns handles
 * to rename it into place or discard it. The new file keeps the old file's mode (0644 when there was none).
 */
export async function stageFile(path: string, content: string): Promise<StagedFile> {
	const folder = dirname(path);
	await mkdir(folder, {recursive: true});
	const mode = await stat(path).then(
		info => info.mode & 0o777,
		() => 0o644,
	);
	const temporary = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
	const handle = await open(temporary, 'wx', mode);
	try {
		await handle.writeFile(content, 'utf8');
		await handle.chmod(mode);
		await handle.sync();
	} catch (error) {
		await handle.close();
		await rm(temporary, {force: true});
		throw error;
	} finally {
		await handle.close().catch(() => undefined);
	}

	return {
		path,
		temporary,
		async commit() {
			await rename(temporary, path);
			await syncFolder(folder);
		},
		async discard() {
			await rm(temporary, {force: true});
		},
	};
}

/** fsync the folder so the rename itself survives a crash (best effort: not every platform allows it). */
async function syncFolder(folder: string): Promise<void> {
	try {
		const handle = await open(folder, 'r');
		try {
			await handle.sync();
		} finally {
			await handle.close();
		}
	} catch {
		// Folders cannot be opened for fsync on some filesystems; the rename is still atomic.
	}
}
