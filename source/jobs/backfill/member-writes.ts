import {Sql} from '../../db/sql.js';
import type {UndoRow} from '../../engine/batch-runner.js';
import {sha1} from '../../core/canonical-json.js';
import {insertRowsWithIds} from '../../db/bulk-insert.js';
import {afterHashes, pickTracked} from '../../engine/row-hash.js';
import {rolePriority, type RoleName, roleOfPriority} from '../classroom-links.js';
import {memberRowPrefix, type PairAction} from './pair-sql.js';
import type {JsonColumns} from '../platform/json-columns.js';

/** A pair classified against its member row, as the batch query returns it. */
export type ClassifiedPair = {
	readonly action: PairAction;
	readonly communityId: number;
	readonly userId: number;
	readonly targetPriority: number;
	readonly targetJoinedAt: string;
	readonly firstCourseId: number;
	readonly enrollmentCount: number;
	readonly member: null | {
		readonly id: number;
		readonly role: string;
		readonly status: string;
		readonly joinedAt: unknown;
		readonly joinedText: string | null;
		readonly deletedAt: unknown;
		readonly metadata: unknown;
		/** Every column of the member row (selected when `classifiedColumns` is given them), for the after_hash. */
		readonly row: Readonly<Record<string, unknown>>;
	};
};

/**
 * What every written row is stamped with: the run, and its fixed start (never the batch's time): `syncedAt` ISO-8601
 * UTC inside metadata, `now` the platform's wall clock for created_at / updated_at, and how metadata is read and
 * written (an encrypted attribute, DESIGN.md §2).
 */
export type Stamp = {readonly runId: string; readonly syncedAt: string; readonly now: string; readonly metadata: JsonColumns};

export function toClassifiedPair(row: Record<string, unknown>): ClassifiedPair {
	return {
		action: String(row.action) as PairAction,
		communityId: Number(row.community_id),
		userId: Number(row.user_id),
		targetPriority: Number(row.target_priority),
		targetJoinedAt: String(row.target_joined_at),
		firstCourseId: Number(row.first_course_id),
		enrollmentCount: Number(row.enrollment_count),
		member:
			row.member_id === null || row.member_id === undefined
				? null
				: {
						id: Number(row.member_id),
						role: String(row.member_role),
						status: String(row.member_status),
						joinedAt: row.member_joined_at,
						joinedText: row.member_joined_text === null || row.member_joined_text === undefined ? null : String(row.member_joined_text),
						deletedAt: row.member_deleted_at,
						metadata: row.member_metadata,
						row: memberRow(row),
					},
	};
}

function memberRow(row: Record<string, unknown>): Record<string, unknown> {
	const member: Record<string, unknown> = {};
	for (const key in row) {
		if (key.startsWith(memberRowPrefix)) {
			member[key.slice(memberRowPrefix.length)] = row[key];
		}
	}

	return member;
}

export function idempotencyKey(communityId: number, userId: number, courseId: number): string {
	return sha1(`classrooms:${communityId}:${userId}:${courseId}`);
}

/**
 * The member's metadata with `backfill.classrooms` set; every other key (also under `backfill`) is kept. It is read in
 * whatever form it is stored (plain, encrypted) and written in the form the platform reads (the undo row keeps the
 * old text byte for byte).
 */
export function stampMetadata(existing: unknown, pair: ClassifiedPair, stamp: Stamp): string {
	const base = pair.member ? stamp.metadata.read(existing, {table: 'community_members', column: 'metadata', rowId: pair.member.id}) : {};

	const backfill = base.backfill && typeof base.backfill === 'object' && !Array.isArray(base.backfill) ? (base.backfill as Record<string, unknown>) : {};
	const classrooms = {
		course_id: pair.firstCourseId,
		source: 'classrooms',
		idempotency_key: idempotencyKey(pair.communityId, pair.userId, pair.firstCourseId),
		synced_at: stamp.syncedAt,
		run_id: stamp.runId,
	};
	return stamp.metadata.write({...base, backfill: {...backfill, classrooms}});
}

type MemberValues = {community_id: number; user_id: number; role: RoleName; status: 'active'; joined_at: string; deleted_at: null; metadata: string};

/** The row a written pair ends as: role raised (never lowered), joined_at moved earlier (never later), active. */
export function targetValues(pair: ClassifiedPair, stamp: Stamp): MemberValues {
	const member = pair.member;
	const target = roleOfPriority(pair.targetPriority);
	const current = member ? (member.role as RoleName) : undefined;
	const role = current && (rolePriority[current] ?? 1) >= pair.targetPriority ? current : target;
	const keepJoined = member && member.joinedText !== null && member.joinedText <= pair.targetJoinedAt;
	return {
		community_id: pair.communityId,
		user_id: pair.userId,
		role,
		status: 'active',
		joined_at: keepJoined ? String(member.joinedAt) : pair.targetJoinedAt,
		deleted_at: null,
		metadata: stampMetadata(member?.metadata ?? null, pair, stamp),
	};
}

const updateSlice = 500;

/**
 * The batch's writes, set-based: one multi-row INSERT for the created members (their ids from the insert id;
 * `memberIds` looks them up only on a server that numbers rows non-consecutively), one UPDATE joined to a VALUES
 * list (per 500 rows) for the reactivated and updated ones, and the undo rows describing both.
 */
export async function writeMembers(tx: Sql, pairs: readonly ClassifiedPair[], stamp: Stamp, memberIds: (created: ClassifiedPair[]) => Promise<Map<string, number>>): Promise<{undo: UndoRow[]; written: number}> {
	const undo: UndoRow[] = [];
	const created = pairs.filter(pair => pair.action === 'create');
	const changed = pairs.filter(pair => pair.action === 'reactivate' || pair.action === 'update');
	if (created.length > 0) {
		const values = created.map(pair => targetValues(pair, stamp));
		const ids = await insertRowsWithIds(
			tx,
			'community_members',
			['community_id', 'user_id', 'role', 'status', 'joined_at', 'metadata', 'created_at', 'updated_at'],
			values.map(row => [row.community_id, row.user_id, row.role, row.status, row.joined_at, row.metadata, stamp.now, stamp.now]),
		);
		const byPair = ids ? undefined : await memberIds(created);
		const rowIds = values.map((row, index) => {
			const id = ids ? ids[index] : byPair!.get(`${row.community_id}:${row.user_id}`);
			if (id === undefined) {
				throw new Error(`The member row of community ${row.community_id}, user ${row.user_id} was not found after its insert.`);
			}

			return id;
		});
		// Every column the INSERT above writes, as it writes them: mirror any change to it here. (A literal: a spread
		// per row costs ~10 µs on Node 20.)
		const hashes = await afterHashes(
			tx,
			'community_members',
			values.map((row, index) => ({
				id: rowIds[index]!,
				written: {community_id: row.community_id, user_id: row.user_id, role: row.role, status: row.status, joined_at: row.joined_at, metadata: row.metadata, created_at: stamp.now, updated_at: stamp.now},
			})),
		);
		for (const [index, id] of rowIds.entries()) {
			undo.push({table: 'community_members', rowId: id, action: 'insert', afterHash: hashes[index]!});
		}
	}

	for (let start = 0; start < changed.length; start += updateSlice) {
		const slice = changed.slice(start, start + updateSlice);
		const rows = slice.map(pair => ({pair, values: targetValues(pair, stamp)}));
		await updateMembers(tx, rows.map(({pair, values}) => [pair.member!.id, values.role, values.joined_at, values.metadata]));
		// `values` holds every column updateMembers writes (status active, deleted_at NULL): mirror any change to it here.
		const hashes = await afterHashes(tx, 'community_members', rows.map(({pair, values}) => ({id: pair.member!.id, before: pair.member!.row, written: values})));
		for (const [index, {pair}] of rows.entries()) {
			const member = pair.member!;
			const before = pickTracked('community_members', {community_id: pair.communityId, user_id: pair.userId, role: member.role, status: member.status, joined_at: member.joinedAt, deleted_at: member.deletedAt, metadata: member.metadata});
			undo.push({table: 'community_members', rowId: member.id, action: 'update', before, afterHash: hashes[index]!});
		}
	}

	return {undo, written: created.length + changed.length};
}

/** UPDATE … joined to a list of (id, role, joined_at, metadata); status active and deleted_at NULL for all. */
async function updateMembers(tx: Sql, rows: ReadonlyArray<readonly unknown[]>): Promise<void> {
	if (tx.dialect === 'sqlite') {
		await tx.run(
			`UPDATE community_members SET role = v.column2, status = 'active', joined_at = v.column3, deleted_at = NULL, metadata = v.column4 FROM (VALUES ${Sql.tuples(rows.length, 4)}) AS v WHERE community_members.id = v.column1`,
			rows.flat(),
		);
		return;
	}

	const list = rows.map((_, index) => (index === 0 ? 'SELECT ? AS id, ? AS role, ? AS joined_at, ? AS metadata' : 'SELECT ?, ?, ?, ?')).join(' UNION ALL ');
	await tx.run(`UPDATE community_members m JOIN (${list}) v ON v.id = m.id SET m.role = v.role, m.status = 'active', m.joined_at = v.joined_at, m.deleted_at = NULL, m.metadata = v.metadata`, rows.flat());
}
