import {type ChildProcess, spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import type {Sql} from '../../source/db/sql.js';
import {takeSnapshot} from '../../source/evidence/snapshot.js';
import {cliEntry} from '../helpers/cli.js';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The platform tables a stage-11 run may touch, and the ones it only reads (they must not change either). */
export const touchedTables = ['community_members', 'profile_activities', 'communities', 'community_categories', 'community_levels', 'community_points_rules'];
export const platformTablesChecked = [...touchedTables, 'users', 'courses', 'enrollments', 'certificates', 'community_posts', 'community_post_comments', 'personal_access_tokens'];

export type CliResult = {code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; json?: Record<string, unknown>};

export type CliOptions = {
	readonly env?: Record<string, string | undefined>;
	readonly cwd?: string;
	/** Called with each stderr line as it arrives (e.g. to kill after n progress lines). */
	readonly onStderrLine?: (line: string, child: ChildProcess) => void;
	readonly onSpawn?: (child: ChildProcess) => void;
	readonly timeoutMs?: number;
};

/** The real CLI as an operator runs it (the bin, `cliEntry`), stdin closed. */
export async function cli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
	const child = spawn(process.execPath, [...cliEntry, ...args], {
		cwd: options.cwd ?? projectRoot,
		env: {...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...options.env},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	options.onSpawn?.(child);
	let stdout = '';
	let stderr = '';
	let partial = '';
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
	});
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
		partial += chunk;
		const lines = partial.split('\n');
		partial = lines.pop() ?? '';
		for (const line of lines) {
			options.onStderrLine?.(line, child);
		}
	});
	const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
	const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve => {
		child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
	});
	clearTimeout(timer);
	let json: Record<string, unknown> | undefined;
	if (args.includes('--output=json')) {
		try {
			json = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
		} catch {}
	}

	return {code, signal, stdout, stderr, json};
}

export function temporaryFolder(prefix = 'runbook-reliability-'): string {
	return mkdtempSync(join(tmpdir(), prefix));
}

/** Table → "rows:checksum", from the evidence snapshot code (same value on SQLite and MariaDB). */
export async function checksums(sql: Sql, tables: readonly string[] = platformTablesChecked): Promise<Record<string, string>> {
	const snapshot = await takeSnapshot(sql, tables);
	return Object.fromEntries(snapshot.map(table => [table.table, `${table.rows}:${table.checksum}`]));
}

/**
 * Every row of a table with some columns masked (run ids, sync times and the run-dependent timestamps), as one
 * digest + the rows: two runs at different moments must give equal results.
 */
export async function maskedRows(sql: Sql, table: string, mask: (row: Record<string, unknown>) => Record<string, unknown> = maskRunFields): Promise<{digest: string; rows: Array<Record<string, unknown>>}> {
	const rows = (await sql.all<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY id`)).map(row => mask(normaliseRow(row)));
	return {digest: createHash('sha256').update(JSON.stringify(rows)).digest('hex'), rows};
}

export function normaliseRow(row: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'bigint' ? Number(value) : value === null || value === undefined ? null : typeof value === 'number' ? value : String(value)]));
}

/** run_id and synced_at inside metadata, and the created_at / updated_at a run stamps with its start time. */
export function maskRunFields(row: Record<string, unknown>): Record<string, unknown> {
	const masked: Record<string, unknown> = {...row};
	for (const key of ['metadata', 'context']) {
		if (typeof masked[key] === 'string') {
			masked[key] = String(masked[key]).replaceAll(/"run_id"\s*:\s*"[^"]*"/g, '"run_id":"*"').replaceAll(/"synced_at"\s*:\s*"[^"]*"/g, '"synced_at":"*"');
		}
	}

	return masked;
}

export function lastJsonLine(text: string): Record<string, unknown> | undefined {
	try {
		return JSON.parse(text.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
	} catch {
		return undefined;
	}
}

/** A small deterministic PRNG (mulberry32) for seeded kill moments. */
export function prng(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d_2b_79_f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

export async function sleep(ms: number): Promise<void> {
	await new Promise(resolve => {
		setTimeout(resolve, ms);
	});
}
