import {ColumnUnreadable, readJsonColumn} from '../../core/laravel-crypt.js';
import type {PlatformSettings} from '../../core/platform-settings.js';
import type {Sql} from '../../db/sql.js';
import type {CheckResult} from '../../engine/job.js';
import {encryptedValueSql} from './json-columns.js';

// The pre-flight gate (DESIGN.md §2, §5 step 1): before anything is written, every encrypted value a later step will
// read must decrypt with the platform's keys. Unreadable values are named by table, row and reason (never the key,
// never the plaintext).

type Check = CheckResult['checks'][number];

export type EncryptedTarget = {
	readonly table: string;
	readonly column: string;
	/** A further condition on the rows a job reads (e.g. the linked communities' members). */
	readonly where?: string;
	readonly params?: readonly unknown[];
};

const pageSize = 2000;
const shownFailures = 3;

/** Decrypts every encrypted value of each target, in keyset pages; one check per target. */
export async function checkEncryptedValues(sql: Sql, settings: PlatformSettings, targets: readonly EncryptedTarget[]): Promise<Check[]> {
	const checks: Check[] = [];
	for (const target of targets) {
		let after = 0;
		let read = 0;
		const failures: string[] = [];
		let failed = 0;
		for (;;) {
			const rows = await sql.all<{id: unknown; value: unknown}>(
				`SELECT id, ${target.column} AS value FROM ${target.table} WHERE id > ? AND ${encryptedValueSql(target.column)}${target.where ? ` AND (${target.where})` : ''} ORDER BY id LIMIT ${pageSize}`,
				[after, ...(target.params ?? [])],
			);
			for (const row of rows) {
				read++;
				try {
					readJsonColumn(String(row.value), settings.keys);
				} catch (error) {
					if (!(error instanceof ColumnUnreadable)) {
						throw error;
					}

					failed++;
					if (failures.length < shownFailures) {
						failures.push(`${target.table} row ${String(row.id)}: ${error.reason}`);
					}
				}
			}

			if (rows.length < pageSize) {
				break;
			}

			after = Number(rows.at(-1)!.id);
		}

		checks.push({
			name: `encrypted ${target.table}.${target.column}`,
			ok: failed === 0,
			detail: failed === 0 ? (read === 0 ? 'none encrypted' : `${read} encrypted value${read === 1 ? '' : 's'} decrypt with ${settings.keys.source}`) : `${failed} of ${read} cannot be read — ${failures.join('; ')}${failed > failures.length ? '; …' : ''}`,
		});
	}

	return checks;
}

/** The zone every timestamp is written and compared in, and where it came from (shown in step 1 and the evidence). */
export function timeZoneCheck(settings: PlatformSettings, sessionZone: string | null): Check {
	return {name: 'time zone', ok: true, detail: `platform ${settings.timeZone.zone} (${settings.timeZone.source})${sessionZone === null ? '' : `; database session ${sessionZone}`}`};
}
