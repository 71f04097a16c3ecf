// What a run leaves in the tables the bench's jobs write, in a form two runs can be compared in: the single-statement
// limit (a) and the job (b) must end with the same rows, or the ratio b/a compares different work.
import {type AppKeys, readJsonColumn} from '../source/core/laravel-crypt.js';
import type {Sql} from '../source/db/sql.js';
import {encryptedValueSql} from '../source/jobs/platform/json-columns.js';

/** Marks a value that belongs to the run (its id, its start) rather than to the data. */
export const runMark = '<run>';

/** A run's own values, masked before comparing: its id and its start as stored (platform wall clock and ISO UTC). */
export type RunStamps = {readonly runId: string; readonly now: string; readonly syncedAt: string};

/**
 * community_members in (community_id, user_id) order, without id. metadata is decrypted and parsed (IVs differ from
 * run to run) and kept with the form it is stored in (envelope, plain, …), with the run's id and start masked;
 * created_at / updated_at equal to the run's start are masked too.
 */
export async function finalMembers(sql: Sql, keys: AppKeys | null, runs: readonly RunStamps[]): Promise<Array<Record<string, unknown>>> {
	const rows = await sql.all<Record<string, unknown>>('SELECT * FROM community_members ORDER BY community_id, user_id');
	return rows.map(row => {
		const {id: _id, metadata, ...rest} = row;
		const stored = metadata === null || metadata === undefined ? null : String(metadata);
		const {form, value} = readJsonColumn(stored, keys);
		const classrooms = (value.backfill as Record<string, Record<string, unknown>> | undefined)?.classrooms;
		if (classrooms) {
			if (runs.some(run => classrooms.run_id === run.runId)) classrooms.run_id = runMark;
			if (runs.some(run => classrooms.synced_at === run.syncedAt)) classrooms.synced_at = runMark;
		}

		return {...maskTimes(rest, runs), metadata_form: form, metadata: value};
	});
}

/** profile_activities by idempotency key, without id, context as stored text, the run's timestamps masked. */
export async function finalActivities(sql: Sql, runs: readonly RunStamps[]): Promise<Array<Record<string, unknown>>> {
	const rows = await sql.all<Record<string, unknown>>('SELECT * FROM profile_activities ORDER BY idempotency_key');
	return rows.map(row => {
		const {id: _id, ...rest} = row;
		return maskTimes(rest, runs);
	});
}

function maskTimes(row: Record<string, unknown>, runs: readonly RunStamps[]): Record<string, unknown> {
	const masked: Record<string, unknown> = {};
	for (const [column, value] of Object.entries(row)) {
		masked[column] = (column === 'created_at' || column === 'updated_at') && value !== null && runs.some(run => String(value) === run.now) ? runMark : value === undefined ? null : typeof value === 'bigint' ? Number(value) : value;
	}

	return masked;
}

/** community_members.metadata by stored form (cheap LIKEs): envelopes, plain JSON, NULL / empty. */
export async function countEnvelopes(sql: Sql): Promise<{envelope: number; plain: number; empty: number}> {
	const row = await sql.get<{envelope: unknown; empty: unknown; total: unknown}>(
		`SELECT SUM(CASE WHEN ${encryptedValueSql('metadata')} THEN 1 ELSE 0 END) AS envelope, SUM(CASE WHEN metadata IS NULL OR metadata = '' THEN 1 ELSE 0 END) AS empty, COUNT(*) AS total FROM community_members`,
	);
	const envelope = Number(row?.envelope ?? 0);
	const empty = Number(row?.empty ?? 0);
	return {envelope, plain: Number(row?.total ?? 0) - envelope - empty, empty};
}
