import {Sql} from '../../db/sql.js';
import type {ActivityRow} from './activity.js';

// The platform's own feed rows (DESIGN.md §3.3, issue 14): the platform writes a feed row for a new post, comment or
// completion under its own key (a UUID) and type (`community_comment.created`, …). A source row whose subject already
// has a feed row of the same user under another key is not migrated again, so the feed never shows an item twice.
// The subject is (subject_type, subject_id), and for certificates also community_id: one certificate yields one row
// per linking community, each its own feed item.

/** Receives each statement with its parameters, for the evidence (upsert.ts's SqlRecorder; not imported: upsert.ts imports this module). */
type SqlRecorder = (statement: string, parameters: readonly unknown[]) => void;

/** The feed row that already shows an activity's subject, under a key that is not the activity's. */
export type FeedDuplicate = {
	readonly row: ActivityRow;
	readonly existing: {readonly id: number; readonly idempotency_key: string; readonly activity_type: string; readonly community_id: number | null};
};

/** Subject types whose subject includes the community (certificates: one feed item per linking community). */
const communityScoped = new Set(['certificate']);

// Like the key lookup: SQLite binds at most 32,766 values per statement; a batch of --chunk=100000 is sliced.
const subjectsPerLookup = 5000;

/**
 * For the rows that have no feed row under their own key, the first (lowest id) feed row of the same subject and
 * user under another key. Set-based: per subject_type (one per batch: a batch reads one source), one
 * `SELECT … WHERE subject_type = ? AND subject_id IN (…)` over profile_activities_subject_type_subject_id_index;
 * the user and certificate community are matched here.
 */
export async function findFeedDuplicates(sql: Sql, rows: readonly ActivityRow[], record?: SqlRecorder): Promise<Map<ActivityRow, FeedDuplicate['existing']>> {
	const found = new Map<ActivityRow, FeedDuplicate['existing']>();
	const bySubjectType = new Map<string, ActivityRow[]>();
	for (const row of rows) {
		bySubjectType.set(row.subject_type, [...(bySubjectType.get(row.subject_type) ?? []), row]);
	}

	for (const [subjectType, group] of bySubjectType) {
		const subjectIds = [...new Set(group.map(row => row.subject_id))];
		const feed = new Map<number, Array<Record<string, unknown>>>();
		for (let start = 0; start < subjectIds.length; start += subjectsPerLookup) {
			const slice = subjectIds.slice(start, start + subjectsPerLookup);
			const statement = `SELECT id, user_id, community_id, activity_type, subject_id, idempotency_key FROM profile_activities WHERE subject_type = ? AND subject_id IN (${Sql.placeholders(slice.length)}) ORDER BY id`;
			const parameters = [subjectType, ...slice];
			record?.(statement, parameters);
			for (const existing of await sql.all<Record<string, unknown>>(statement, parameters)) {
				const subjectId = Number(existing.subject_id);
				feed.set(subjectId, [...(feed.get(subjectId) ?? []), existing]);
			}
		}

		for (const row of group) {
			const match = (feed.get(row.subject_id) ?? []).find(existing => sameSubjectOtherKey(existing, row));
			if (match) {
				const communityId = match.community_id === null || match.community_id === undefined ? null : Number(match.community_id);
				found.set(row, {id: Number(match.id), idempotency_key: String(match.idempotency_key), activity_type: String(match.activity_type), community_id: communityId});
			}
		}
	}

	return found;
}

function sameSubjectOtherKey(existing: Readonly<Record<string, unknown>>, row: ActivityRow): boolean {
	if (Number(existing.user_id) !== row.user_id || String(existing.idempotency_key) === row.idempotency_key) {
		return false;
	}

	if (!communityScoped.has(row.subject_type)) {
		return true;
	}

	const communityId = existing.community_id === null || existing.community_id === undefined ? null : Number(existing.community_id);
	return communityId === row.community_id;
}
