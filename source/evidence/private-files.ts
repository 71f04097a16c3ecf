import {chmod, mkdir, open} from 'node:fs/promises';

// Evidence is private to the operator: every file 0600, every folder 0700 (DESIGN.md §9), whatever the umask.

export const fileMode = 0o600;
export const folderMode = 0o700;

export async function makePrivateFolder(path: string): Promise<void> {
	await mkdir(path, {recursive: true, mode: folderMode});
	await chmod(path, folderMode);
}

/** Writes (replaces) a file with mode 0600 and fsyncs it. */
export async function writePrivateFile(path: string, content: string): Promise<void> {
	const handle = await open(path, 'w', fileMode);
	try {
		await handle.writeFile(content, 'utf8');
		await handle.sync();
	} finally {
		await handle.close();
	}

	await chmod(path, fileMode);
}
