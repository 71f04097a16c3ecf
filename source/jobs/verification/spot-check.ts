import {journalRowsByGroupSql} from '../../db/bookkeeping/undo-journal.js';
import {readJsonColumn} from '../../core/laravel-crypt.js';
import type {PlatformSettings} from '../../core/platform-settings.js';
import {dialectSql, type Sql} from '../../db/sql.js';
import {encryptedValueSql} from '../platform/json-columns.js';
import {legacySources} from './legacy-sources.js';
import {metric, type VerifiedRun} from './runs.js';
import type {MigrationScope} from './scope.js';
import {countPlatformRows} from './platform-rows.js';

// Step 2 of DESIGN.md §7: portable SQL, every statement recorded verbatim (with parameters) in the evidence.

export type SpotCheck = {
	readonly name: string;
	readonly passed: boolean;
	/** What is compared, in words. */
	readonly what: string;
	readonly expected: number;
	readonly found: number;
	readonly details?: Record<string, unknown>;
	/** The failure in words, when the expected/found pair alone does not name it (the feed duplicates). */
	readonly problem?: string;
};

type Record_ = (statement: string, parameters?: readonly unknown[]) => void;

async function count(sql: Sql, record: Record_, statement: string, parameters: readonly unknown[]): Promise<number> {
	record(statement, parameters);
	const row = await sql.get<{n: unknown}>(statement, parameters);
	return Number(row?.n ?? 0);
}

/**
 * Members stamped by the backfill run, per community: idempotency key present and run_id equal to the run's id
 * (unquoted text on both dialects). Their total must equal the run's created + reactivated + updated. The job's
 * metrics have no per-community figures, so each community's count is compared with the rows the run's undo log
 * says it wrote in that community (inserted or updated community_members rows).
 */
export async function backfillSpotCheck(sql: Sql, run: VerifiedRun, record: Record_, platform: PlatformSettings): Promise<SpotCheck> {
	const runIdText = dialectSql(sql.dialect).jsonText('metadata', '$.backfill.classrooms.run_id');
	const stampedSql = `SELECT community_id, COUNT(*) AS n FROM community_members WHERE JSON_EXTRACT(metadata, '$.backfill.classrooms.idempotency_key') IS NOT NULL AND ${runIdText} = ? GROUP BY community_id ORDER BY community_id`;
	const writtenSql = journalRowsByGroupSql('community_members', 'community_id');
	const perCommunity: Record<string, {stamped: number; written_by_run: number}> = {};
	for (const [statement, field] of [[stampedSql, 'stamped'], [writtenSql, 'written_by_run']] as const) {
		record(statement, [run.runId]);
		for (const row of await sql.all<{community_id: unknown; n: unknown}>(statement, [run.runId])) {
			const entry = (perCommunity[String(row.community_id)] ??= {stamped: 0, written_by_run: 0});
			entry[field] = Number(row.n);
		}
	}

	// SQL cannot see inside encrypted metadata: those rows are counted by decrypting them here (DESIGN.md §7).
	const decrypted = await countStampedEncrypted(sql, run.runId, platform, record);
	for (const [community, n] of decrypted.perCommunity) {
		(perCommunity[String(community)] ??= {stamped: 0, written_by_run: 0}).stamped += n;
	}

	const found = Object.values(perCommunity).reduce((sum, entry) => sum + entry.stamped, 0);
	const expected = metric(run, 'members_created') + metric(run, 'members_reactivated') + metric(run, 'members_updated');
	const mismatched = Object.entries(perCommunity).filter(([, entry]) => entry.stamped !== entry.written_by_run).map(([community]) => Number(community));
	return {
		name: 'backfill members stamped by the run',
		passed: found === expected && mismatched.length === 0,
		what: `community_members carrying backfill.classrooms.idempotency_key with run_id ${run.runId}: per community = rows the run's undo log wrote there, and in total = members_created + members_reactivated + members_updated${decrypted.rows > 0 ? ` (${decrypted.rows} encrypted metadata values decrypted by the tool: SQL cannot read inside them)` : ''}`,
		expected,
		found,
		details: {run_id: run.runId, per_community: perCommunity, communities_differing: mismatched, encrypted_rows_decrypted: decrypted.rows},
	};
}

/**
 * Per activity type: the source rows the migration run had to convert (its filters, since and id bounds; certificates
 * once per linking community, else once) against the profile_activities rows of that type whose subject is one of
 * those rows, same user (and same community for posts and comments), plus the platform's own feed rows that stand in
 * for a row the run did not write (platform-rows.ts). Then the total of the expectations against the run's
 * records_created + records_updated + records_unchanged + records_duplicate. The table's plain count per type is reported too
 * (it also holds rows the platform wrote itself, so it is not compared).
 */
export async function migrationSpotChecks(sql: Sql, run: VerifiedRun, scope: MigrationScope, record: Record_): Promise<{checks: SpotCheck[]; tableCounts: Record<string, number>}> {
	const checks: SpotCheck[] = [];
	let expectedTotal = 0;
	for (const source of legacySources(scope)) {
		let expected: number;
		if (source.kind === 'certificates') {
			const statement = `SELECT s.course_id, COUNT(*) AS n FROM ${source.table} s JOIN users u ON u.id = s.${source.userColumn} WHERE ${source.where} GROUP BY s.course_id`;
			record(statement, source.parameters);
			const rows = await sql.all<{course_id: unknown; n: unknown}>(statement, source.parameters);
			expected = rows.reduce((sum, row) => sum + Number(row.n) * Math.max(1, row.course_id === null ? 0 : (scope.courseCommunities.get(Number(row.course_id))?.length ?? 0)), 0);
		} else {
			expected = await count(sql, record, `SELECT COUNT(*) AS n FROM ${source.table} s JOIN users u ON u.id = s.${source.userColumn} WHERE ${source.where}`, source.parameters);
		}

		const sameCommunity = source.kind === 'certificates' ? '' : ' AND pa.community_id = s.community_id';
		const found = await count(
			sql,
			record,
			`SELECT COUNT(*) AS n FROM profile_activities pa JOIN ${source.table} s ON s.id = pa.subject_id AND pa.user_id = s.${source.userColumn}${sameCommunity} JOIN users u ON u.id = s.${source.userColumn} WHERE pa.activity_type = ? AND pa.subject_type = ? AND ${source.where}`,
			[source.activityType, source.subjectType, ...source.parameters],
		);
		// A subject the platform already showed was not migrated (records_duplicate): its own row stands in for ours.
		const platform = await countPlatformRows(sql, source, scope, record);
		expectedTotal += expected;
		checks.push({
			name: `activities ${source.activityType}`,
			passed: found + platform === expected,
			what: `profile_activities rows of type ${source.activityType} for the ${source.table} rows the run covered, plus the platform's own rows standing in for them (same subject and user, no row of this type) = activity rows those source rows yield`,
			expected,
			found: found + platform,
			details: {of_type: found, platform_rows: platform},
		});
	}

	const covered = metric(run, 'records_created') + metric(run, 'records_updated') + metric(run, 'records_unchanged') + metric(run, 'records_duplicate');
	checks.push({
		name: 'activities total',
		passed: covered === expectedTotal,
		what: `records_created + records_updated + records_unchanged + records_duplicate of run ${run.runId} = activity rows its sources yield (all types)`,
		expected: expectedTotal,
		found: covered,
		details: {run_id: run.runId},
	});
	const statement = 'SELECT activity_type, COUNT(*) AS n FROM profile_activities GROUP BY activity_type ORDER BY activity_type';
	record(statement, []);
	const rows = await sql.all<{activity_type: unknown; n: unknown}>(statement);
	return {checks, tableCounts: Object.fromEntries(rows.map(row => [String(row.activity_type), Number(row.n)]))};
}

/** Encrypted member metadata stamped by the run, per community, counted in keyset pages by decrypting each value. */
async function countStampedEncrypted(sql: Sql, runId: string, platform: PlatformSettings, record: Record_): Promise<{rows: number; perCommunity: Map<number, number>}> {
	const perCommunity = new Map<number, number>();
	const statement = `SELECT id, community_id, metadata FROM community_members WHERE id > ? AND ${encryptedValueSql('metadata')} ORDER BY id LIMIT 2000`;
	record(statement, [0]);
	let after = 0;
	let rows = 0;
	for (;;) {
		const page = await sql.all<{id: unknown; community_id: unknown; metadata: unknown}>(statement, [after]);
		for (const row of page) {
			rows++;
			const value = readJsonColumn(String(row.metadata), platform.keys).value as {backfill?: {classrooms?: {idempotency_key?: unknown; run_id?: unknown}}};
			const stamp = value.backfill?.classrooms;
			if (stamp?.idempotency_key !== undefined && stamp.idempotency_key !== null && stamp.run_id === runId) {
				perCommunity.set(Number(row.community_id), (perCommunity.get(Number(row.community_id)) ?? 0) + 1);
			}
		}

		if (page.length < 2000) {
			return {rows, perCommunity};
		}

		after = Number(page.at(-1)!.id);
	}
}
