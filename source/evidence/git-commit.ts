import {existsSync, readFileSync, statSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

// The tool's git commit for the manifest, read from .git (worktrees and packed refs too) without spawning git.

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
