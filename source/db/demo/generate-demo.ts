import {performance} from 'node:perf_hooks';
import {createPlatformSchema, existingTables, platformTables} from '../platform-schema.js';
import type {Sql} from '../sql.js';
import {deferSecondaryIndexes, enlargePageCache, enlargeTemporaryTables, type Restore, suspendForeignKeys} from './bulk-load.js';
import {insertBulkCertificates, insertBulkComments, insertBulkPosts} from './bulk-activity.js';
import {insertBulkEnrollments, insertBulkMembers, insertBulkUsers, insertCourses} from './bulk-people.js';
import {type DemoLayout, demoLayout, specialUsers} from './cast.js';
import {insertCommunities} from './communities.js';
import {demoExpressions, type Expressions} from './expressions.js';
import {type DemoAttributes, demoAppKeys, type DemoJsonColumns, demoJsonColumns} from './json-columns.js';
import {insertNastyActivity} from './nasty-activity.js';
import {insertNastyPeople} from './nasty-people.js';
import {createNumbers, dropNumbers} from './numbers.js';
import {insertPointsLedger} from './points-ledger.js';
import {type DemoClock, type DemoSize, demoClock, sizeProfiles} from './sizes.js';
import {insertBaselineLeftovers, insertTokens} from './tokens.js';

export {demoSizes, type DemoSize, referenceUnix} from './sizes.js';
export {specialCommunities, specialUsers} from './cast.js';
export {type DemoAttributes, demoAppKey, demoAppKeys, encryptedDemoColumns, type EncryptedDemoColumn, olderFormRows} from './json-columns.js';

export type DemoOptions = {
	readonly size: DemoSize;
	readonly seed: number;
	/** Only its UTC day matters (the recent-activity window ends there); defaults to the current clock. */
	readonly now?: Date;
	/**
	 * How the six encrypted JSON columns are written (DESIGN.md §2): envelopes under the keys given, as the platform
	 * writes them today (a few rows in the older forms, see json-columns.ts), or `{form: 'plain'}` (`demo
	 * --legacy-plain`). Default: envelopes under demoAppKeys(seed).
	 */
	readonly attributes?: DemoAttributes;
};

export type DemoSummary = {
	readonly size: DemoSize;
	readonly seed: number;
	/** Row count of every platform table after generation. */
	readonly rows: Record<string, number>;
	/** Sanctum token of the internal user: `<id>|<plain>`. */
	readonly token: string;
	readonly internalUserId: number;
	/** How the six encrypted columns were written. */
	readonly encryptedAttributes: DemoAttributes['form'];
	readonly durationMs: number;
};

/**
 * Drops and recreates the platform tables, then fills them with a deterministic dataset: the same size, seed and
 * UTC day give identical rows on SQLite and MariaDB. Runs of the tool recorded against the previous data are
 * cleared too (they describe rows that no longer exist). Demo and testing profiles only: the caller checks.
 */
export async function generateDemo(sql: Sql, options: DemoOptions): Promise<DemoSummary> {
	const started = performance.now();
	const size = sizeProfiles[options.size];
	const layout = demoLayout(size);
	const clock = demoClock(options.now ?? new Date());
	const x = demoExpressions(sql.dialect, options.seed, clock);
	const json = demoJsonColumns(options.attributes ?? {form: 'envelope', keys: demoAppKeys(options.seed)}, options.seed);

	await createPlatformSchema(sql);
	await createNumbers(sql);
	const restoreIndexes = await deferSecondaryIndexes(sql, ['enrollments', 'community_post_comments']);
	const restoreCache = await enlargePageCache(sql);
	const keep: Restore = async () => {};
	const restoreSqliteForeignKeys = sql.dialect === 'sqlite' ? await suspendForeignKeys(sql) : keep;
	let token = '';
	try {
		await sql.transaction(async tx => {
			const restoreMysqlForeignKeys = tx.dialect === 'mysql' ? await suspendForeignKeys(tx) : keep;
			try {
				token = await loadDemoRows(tx, layout, x, options.seed, clock, json);
			} finally {
				await restoreMysqlForeignKeys();
			}
		});
	} finally {
		await restoreSqliteForeignKeys();
		await restoreIndexes();
		await restoreCache();
		await dropNumbers(sql);
	}

	return {
		size: options.size,
		seed: options.seed,
		rows: await countRows(sql),
		token,
		internalUserId: specialUsers.internal,
		encryptedAttributes: json.form,
		durationMs: Math.round(performance.now() - started),
	};
}

/** Every demo row, in foreign-key order (parents first), on one transaction; returns the internal user's token. */
async function loadDemoRows(tx: Sql, layout: DemoLayout, x: Expressions, seed: number, clock: DemoClock, json: DemoJsonColumns): Promise<string> {
	const restoreTemporaryTables = await enlargeTemporaryTables(tx);
	await clearRunbookRuns(tx);
	const people = await insertNastyPeople(tx, layout, clock, json);
	await insertBulkUsers(tx, layout, x);
	await insertCourses(tx, layout, x);
	await insertCommunities(tx, layout, seed, clock, json);
	await insertBulkEnrollments(tx, layout, x, people.enrollments + 1);
	await insertBulkMembers(tx, layout, x, people.members + 1, json);
	await insertPointsLedger(tx, x, people.members);
	const activity = await insertNastyActivity(tx, layout, clock, json);
	await insertBulkPosts(tx, layout, x, activity.posts + 1, json);
	await insertBulkComments(tx, layout, x, clock, activity.comments + 1);
	await insertBulkCertificates(tx, layout, x, activity.certificates + 1);
	const {token} = await insertTokens(tx, layout, seed, clock);
	await insertBaselineLeftovers(tx, clock, json);
	await restoreTemporaryTables();
	return token;
}

export async function countRows(sql: Sql): Promise<Record<string, number>> {
	const rows: Record<string, number> = {};
	for (const table of platformTables) {
		const row = await sql.get<{count: number | string}>(`SELECT COUNT(*) AS count FROM ${table}`);
		rows[table] = Number(row?.count ?? 0);
	}

	return rows;
}

/** Empties the tool's own tables (runs, batches, undo, locks, work tables) but not its migration history. */
async function clearRunbookRuns(sql: Sql): Promise<void> {
	const tables = [...(await existingTables(sql))].filter(table => table.startsWith('runbook_') && table !== 'runbook_migrations' && !table.startsWith('runbook_demo_')).sort();
	for (const table of tables) {
		await sql.run(`DELETE FROM ${table}`);
	}
}
