// Shared by the bench orchestrator (bench.ts) and its per-phase child processes (phase.ts).
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {parseDatabaseUrl} from '../source/db/database-url.js';
import {type Database, migrateRunbookTables, openDatabase} from '../source/db/orm.js';
import {existingTables} from '../source/db/platform-schema.js';
import {suspendForeignKeys} from '../source/db/demo/bulk-load.js';

export type BenchDb = 'sqlite' | 'mariadb';

/** The V8 flags the tool runs with (bin/community-runbook.js, `npm start`); every measured phase gets them too. */
export const toolNodeFlags = ['--max-semi-space-size=8', '--heap-growing-percent=20'] as const;

/**
 * The environment the tool's launchers set (the bin's shebang, `npm start`), for glibc, which reads it only at
 * process start. Two malloc arenas instead of one per thread that allocates (node-sqlite3 runs statements on libuv's
 * pool threads, up to 4 more arenas, each fragmenting on its own): peak RSS of the 1M backfill on SQLite 221 → 174 MiB,
 * same duration (bench, 2026-12-02).
 */
export const toolEnvironment = {MALLOC_ARENA_MAX: '2'} as const;

/**
 * The environment of a measured phase: the launchers' plus React's production build, which the tool always runs (the
 * bundle defines NODE_ENV, and the bin sets it before loading anything) but a phase, importing `dist/source` directly,
 * would not. Under React's development build, (c) kept every render's PerformanceMeasure entry (16,000 in 90 s of a
 * dense backfill, heap 31 → 64 MiB): peak RSS 198.9 → 165.2 MiB and 130.5 → 127.3 s (SQLite dense backfill, 2026-12-02).
 */
export const phaseEnvironment = {...toolEnvironment, NODE_ENV: 'production'} as const;

/** `NAME=value …` of toolEnvironment, as the launchers spell it. */
export const toolEnvironmentWords = Object.entries(toolEnvironment).map(([name, value]) => `${name}=${value}`).join(' ');

/** Tables the measured jobs write; their pre-run contents are kept in `bench_base_<table>` and put back before each phase. */
export const restoredTables = ['community_members', 'profile_activities'] as const;

export async function openBenchDatabase(url: string): Promise<Database> {
	const database = await openDatabase(parseDatabaseUrl(url), {createSqliteFile: true});
	await migrateRunbookTables(database);
	return database;
}

/** Snapshots the written tables into bench_base_* (after generating the data, once). */
export async function saveBaseline(database: Database): Promise<void> {
	const {sql} = database;
	for (const table of restoredTables) {
		await sql.run(`DROP TABLE IF EXISTS bench_base_${table}`);
		await sql.run(`CREATE TABLE bench_base_${table} AS SELECT * FROM ${table}`);
	}
}

/**
 * Puts the written tables back as generated and empties the tool's own run tables, so every phase starts from the
 * same data. Not part of any measurement.
 */
export async function restoreBaseline(database: Database): Promise<void> {
	const {sql} = database;
	const tables = await existingTables(sql);
	// With the foreign keys suspended: community_points_ledger references community_members (MariaDB refuses to
	// TRUNCATE a referenced table; SQLite would cascade the DELETE into the ledger). The ids come back as they were.
	const restoreSqliteKeys = sql.dialect === 'sqlite' ? await suspendForeignKeys(sql) : undefined;
	try {
		await sql.transaction(async tx => {
			const restoreMysqlKeys = tx.dialect === 'mysql' ? await suspendForeignKeys(tx) : undefined;
			try {
				const wipe = async (table: string) => tx.run(tx.dialect === 'sqlite' ? `DELETE FROM ${table}` : `TRUNCATE TABLE ${table}`);
				for (const table of [...tables].filter(name => name.startsWith('runbook_') && name !== 'runbook_migrations').sort()) {
					await wipe(table);
				}

				for (const table of restoredTables) {
					await wipe(table);
					await tx.run(`INSERT INTO ${table} SELECT * FROM bench_base_${table}`);
				}
			} finally {
				await restoreMysqlKeys?.();
			}
		});
	} finally {
		await restoreSqliteKeys?.();
	}

	if (sql.dialect === 'sqlite') {
		await sql.run('PRAGMA wal_checkpoint(TRUNCATE)').catch(() => undefined);
	}
}

export function temporaryFolder(prefix: string): {path: string; remove: () => void} {
	const path = mkdtempSync(join(tmpdir(), prefix));
	return {path, remove: () => rmSync(path, {recursive: true, force: true})};
}

/** What every phase child prints as its last stdout line, prefixed with `BENCH_RESULT `. */
export type PhaseResult = {
	readonly phase: string;
	readonly seconds: number;
	/** Rows the phase's rate is counted in (enrollments for the backfill, legacy source rows for the migration). */
	readonly rows: number;
	readonly maxRssMiB: number;
	readonly details: Record<string, unknown>;
};

export const resultPrefix = 'BENCH_RESULT ';
