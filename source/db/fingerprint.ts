import {basename} from 'node:path';
import type {Database} from './orm.js';

export type DatabaseFingerprint = {readonly driver: 'sqlite' | 'mysql'; readonly server_version: string; readonly database: string};

/** Driver, server version and database name: enough to tell databases apart, never credentials (DESIGN.md §9). */
export async function fingerprintDatabase(database: Database): Promise<DatabaseFingerprint> {
	if (database.target.dialect === 'sqlite') {
		const row = await database.sql.get<{version: string}>('SELECT sqlite_version() AS version');
		return {driver: 'sqlite', server_version: String(row?.version ?? ''), database: basename(database.target.path)};
	}

	const row = await database.sql.get<{version: string; name: string}>('SELECT VERSION() AS version, DATABASE() AS name');
	return {driver: 'mysql', server_version: String(row?.version ?? ''), database: String(row?.name ?? database.target.database)};
}
