import {ColumnUnreadable, readJsonColumn, writeJsonColumn} from '../../core/laravel-crypt.js';
import {PrerequisiteFailed} from '../../core/errors.js';
import type {PlatformSettings} from '../../core/platform-settings.js';
import type {Sql} from '../../db/sql.js';

// The platform's JSON columns cast with EncryptedAttribute (DESIGN.md §2): read in every form the platform has ever
// written (plain, bare payload, envelope; NULL, '', [] and {} empty), and written in the form the platform reads
// today: encrypted once any of these columns holds an envelope anywhere (the platform encrypts them all from the same
// release on), plain otherwise, or as --encrypted-attributes forces.

export const encryptedColumns = [
	['communities', 'settings'],
	['community_members', 'metadata'],
	['community_members', 'preferences'],
	['community_posts', 'metadata'],
	['community_posts', 'lifecycle'],
	['community_points_rules', 'metadata'],
] as const;

export type WriteForm = 'envelope' | 'plain';

export type JsonColumns = {
	/** How the tool writes these columns in this database. */
	readonly form: WriteForm;
	/** The stored value as an object; an unreadable one is a prerequisite failure naming table, row and reason. */
	read(stored: unknown, where: {readonly table: string; readonly column: string; readonly rowId: number | string}): Record<string, unknown>;
	/** The text to store for `value`, in `form`. */
	write(value: Record<string, unknown>): string;
};

/** A SQL condition: the column holds an envelope or a bare payload (cheap LIKE, no decryption). */
export function encryptedValueSql(column: string): string {
	return `(${column} LIKE '{"v":1,"ciphertext":%' OR ${column} LIKE '{"v": 1, "ciphertext": %' OR ${column} LIKE '"eyJ%')`;
}

/** Whether any of the six columns holds an encrypted value anywhere (one short query per column). */
export async function databaseEncrypts(sql: Sql): Promise<boolean> {
	for (const [table, column] of encryptedColumns) {
		const found = await sql.get(`SELECT 1 AS found FROM ${table} WHERE ${encryptedValueSql(column)} LIMIT 1`).catch(() => undefined);
		if (found) {
			return true;
		}
	}

	return false;
}

export async function writeFormOf(sql: Sql, settings: PlatformSettings): Promise<WriteForm> {
	if (settings.encryptedAttributes === 'always') {
		return 'envelope';
	}

	return settings.encryptedAttributes === 'never' ? 'plain' : (await databaseEncrypts(sql)) ? 'envelope' : 'plain';
}

/** The columns' reader and writer for a form fixed by the caller (a run keeps the form it started with). */
export function jsonColumns(settings: PlatformSettings, form: WriteForm): JsonColumns {
	return {
		form,
		read(stored, where) {
			const text = stored === null || stored === undefined ? null : typeof stored === 'string' ? stored : JSON.stringify(stored);
			try {
				return readJsonColumn(text, settings.keys).value;
			} catch (error) {
				if (error instanceof ColumnUnreadable) {
					throw new PrerequisiteFailed(`${where.table}.${where.column} of row ${where.rowId} cannot be read: ${error.reason}.`, {
						hint: `Check APP_KEY / APP_PREVIOUS_KEYS (${settings.keys.source}) and --app-cipher; the platform's own key decrypts it.`,
					});
				}

				throw error;
			}
		},
		write(value) {
			return writeJsonColumn(value, form, settings.keys);
		},
	};
}

/** A write form that needs a key the platform does not give us is a prerequisite failure, before anything is written. */
export function keyCheck(settings: PlatformSettings, form: WriteForm): {name: string; ok: boolean; detail: string} {
	if (form === 'plain') {
		return {name: 'encrypted attributes', ok: true, detail: `written as plain JSON (--encrypted-attributes=${settings.encryptedAttributes})`};
	}

	return settings.keys.current
		? {name: 'encrypted attributes', ok: true, detail: `written encrypted (${settings.keys.cipher}, key from ${settings.keys.source})`}
		: {name: 'encrypted attributes', ok: false, detail: `the platform encrypts these columns and no APP_KEY was found (looked for ${settings.keys.source}); set APP_KEY or pass --app-root`};
}

const perContext = new WeakMap<object, Promise<JsonColumns>>();

/** The columns' reader and writer for a job step, the write form probed once per step. */
export async function columnsOf(context: {readonly database: {readonly sql: Sql}; readonly platform: PlatformSettings}): Promise<JsonColumns> {
	let columns = perContext.get(context);
	if (!columns) {
		columns = writeFormOf(context.database.sql, context.platform).then(form => jsonColumns(context.platform, form));
		perContext.set(context, columns);
	}

	return columns;
}
