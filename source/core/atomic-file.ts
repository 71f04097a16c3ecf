import {randomBytes} from 'node:crypto';
import {mkdir, open, readFile, rename, rm, stat} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';

// Files the platform reads (flag and rollout files) are replaced, never rewritten in place: a temp file in the same
// folder, fsync, rename. Readers see the old file or the new one, never half of one. Shared by enable-feature and
// rollback.

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

/** Replaces `path` with `content` atomically; null removes the file. */
export async function writeAtomically(path: string, content: string | null): Promise<void> {
	if (content === null) {
		await rm(path, {force: true});
		return;
	}

	const staged = await stageFile(path, content);
	try {
		await staged.commit();
	} catch (error) {
		await staged.discard();
		throw error;
	}
}
