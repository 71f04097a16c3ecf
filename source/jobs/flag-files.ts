import {relative, sep} from 'node:path';
import {sha256} from '../core/canonical-json.js';

export {readTextOrNull, type StagedFile, stageFile} from '../core/atomic-file.js';

// The platform's flag files as TEXT (DESIGN.md §2): what enable-feature reads before it writes (for the undo log,
// byte for byte) and how it writes them (temp file in the same folder, fsync, rename: readers see the old file or
// the new one, never half of one). engine/feature-flags.ts decides what the files MEAN; this module only moves bytes.

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
