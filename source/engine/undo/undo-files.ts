import {isAbsolute, relative, resolve, sep} from 'node:path';
import {readTextOrNull, writeAtomically} from '../../core/atomic-file.js';
import {sha256} from '../../core/canonical-json.js';
import {RollbackFailed} from '../../core/errors.js';
import type {UndoRecord} from '../../db/bookkeeping/undo-journal.js';
import type {RollbackConflict} from './undo-rows.js';

// DESIGN.md §8 step 1 for files (flags and rollouts): a file is put back when it still holds what the run wrote
// (its sha256 is the record's after_hash), atomically; one changed since is a conflict.

export type FileVerdict = {
	readonly restores: Array<{readonly record: UndoRecord; readonly path: string}>;
	/** Records already back to their prior content: settled without a write. */
	readonly settled: number[];
	readonly conflicts: RollbackConflict[];
};

export async function judgeFiles(appRoot: string, records: readonly UndoRecord[], overwriteConflicts: boolean): Promise<FileVerdict> {
	const verdict: FileVerdict = {restores: [], settled: [], conflicts: []};
	for (const record of records) {
		if (record.action !== 'file') {
			continue;
		}

		const path = resolveAppFile(appRoot, record.table);
		const now = await readTextOrNull(path);
		const nowHash = now === null ? null : sha256(now);
		const before = record.fileBefore;
		if (nowHash !== null && nowHash === record.afterHash) {
			verdict.restores.push({record, path});
		} else if (nowHash === (before === null ? null : sha256(before))) {
			// Already back to its previous content (an earlier attempt renamed it before its batch could commit).
			verdict.settled.push(record.id);
		} else {
			verdict.conflicts.push({
				target_run: record.runId,
				undo_id: record.id,
				table: record.table,
				row_id: null,
				action: 'file',
				as_left: {after_hash: record.afterHash},
				now: now === null ? null : {exists: true, sha256: nowHash, content: now},
				would_restore: before === null ? null : {content: before},
				resolution: overwriteConflicts ? 'overwritten' : 'left',
			});
			if (overwriteConflicts) {
				verdict.restores.push({record, path});
			}
		}
	}

	return verdict;
}

/** Puts the files back; returns the journal ids now undone. */
export async function applyFiles(verdict: FileVerdict, recordSql: (statement: string, parameters: readonly unknown[]) => void): Promise<number[]> {
	for (const {record, path} of verdict.restores) {
		await writeAtomically(path, record.fileBefore);
		recordSql(`-- file ${record.table}: ${record.fileBefore === null ? 'delete' : `restore ${Buffer.byteLength(record.fileBefore)} bytes`}`, []);
	}

	return [...verdict.restores.map(({record}) => record.id), ...verdict.settled];
}

/** A journal record's file path is relative to the app root and must stay inside it. */
export function resolveAppFile(appRoot: string, name: string): string {
	const root = resolve(appRoot);
	const path = isAbsolute(name) ? resolve(name) : resolve(root, name);
	const inside = relative(root, path);
	if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
		throw new RollbackFailed(`runbook_undo names a file outside the app root: ${name}.`, {hint: 'Run rollback with the same --app-root as the run.'});
	}

	return path;
}
