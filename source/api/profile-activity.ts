import type {Sql} from '../db/sql.js';
import {type Cursor, decodeCursor, encodeCursor} from './cursor.js';
import {ApiError} from './envelope.js';
import {isoUtc} from './timestamps.js';

// GET /api/v1/me/profile-activity: the signed-in user's feed, newest first (occurred_at DESC, id DESC), keyset
// paginated. Every row of the user is listed; `community` is null when the row has no community_id or its
// community is missing or soft-deleted (the row itself stays, so the feed always equals profile_activities).
export type FeedQuery = {
	readonly perPage: number;
	readonly communityId: number | undefined;
	readonly cursor: Cursor | undefined;
};

export type FeedItem = {
	readonly id: number;
	readonly activity_type: string;
	readonly subject_type: string;
	readonly subject_id: number;
	readonly occurred_at: string;
	readonly community: {readonly id: number; readonly name: string; readonly slug: string} | null;
	readonly context: Record<string, unknown>;
};

export type FeedPage = {
	readonly data: FeedItem[];
	readonly filters: Record<string, unknown>;
	readonly pagination: Record<string, unknown>;
};

export const defaultPerPage = 25;
export const maxPerPage = 100;

const unprocessable = (detail: string) => new ApiError(422, 'Unprocessable Content', detail);

/** Query string → typed query; anything out of contract is a 422 naming the parameter. */
export function parseFeedQuery(parameters: URLSearchParams): FeedQuery {
	const perPageText = parameters.get('per_page');
	let perPage = defaultPerPage;
	if (perPageText !== null) {
		perPage = /^\d{1,3}$/.test(perPageText) ? Number(perPageText) : 0;
		if (perPage < 1 || perPage > maxPerPage) {
			throw unprocessable(`per_page must be a whole number from 1 to ${maxPerPage} (got "${clip(perPageText)}").`);
		}
	}

	const communityText = parameters.get('community_id');
	let communityId: number | undefined;
	if (communityText !== null) {
		communityId = /^[1-9]\d{0,15}$/.test(communityText) ? Number(communityText) : undefined;
		if (communityId === undefined || !Number.isSafeInteger(communityId)) {
			throw unprocessable(`community_id must be a positive whole number (got "${clip(communityText)}").`);
		}
	}

	const cursorText = parameters.get('cursor');
	let cursor: Cursor | undefined;
	if (cursorText !== null && cursorText !== '') {
		cursor = decodeCursor(cursorText);
		if (!cursor) {
			throw unprocessable('cursor is not a cursor this API issued; pass next_cursor or previous_cursor from a previous answer unchanged.');
		}
	}

	return {perPage, communityId, cursor};
}

type FeedRow = {
	id: unknown;
	activity_type: unknown;
	subject_type: unknown;
	subject_id: unknown;
	occurred_at: unknown;
	context: unknown;
	community_ref: unknown;
	community_name: unknown;
	community_slug: unknown;
};

/**
 * One page. A forward page (no cursor, or a next_cursor) reads per_page + 1 rows older than the cursor; a backward
 * page (a previous_cursor) reads per_page + 1 rows newer than it in ascending order and reverses them.
 * Pagination: next_cursor continues to older rows and is present exactly when has_more is true; previous_cursor
 * (the first item's position, walking back to newer rows) is present on every page reached through a cursor that
 * has newer rows before it, and omitted on the first page. count = items on this page.
 */
export async function readFeedPage(sql: Sql, userId: number, query: FeedQuery): Promise<FeedPage> {
	const backward = query.cursor?.direction === 'prev';
	const where = ['pa.user_id = ?'];
	const parameters: unknown[] = [userId];
	if (query.communityId !== undefined) {
		where.push('pa.community_id = ?');
		parameters.push(query.communityId);
	}

	if (query.cursor) {
		const operator = backward ? '>' : '<';
		where.push(`(pa.occurred_at ${operator} ? OR (pa.occurred_at = ? AND pa.id ${operator} ?))`);
		parameters.push(query.cursor.occurredAt, query.cursor.occurredAt, query.cursor.id);
	}

	const order = backward ? 'ASC' : 'DESC';
	const rows = await sql.all<FeedRow>(
		`SELECT pa.id, pa.activity_type, pa.subject_type, pa.subject_id, pa.occurred_at, pa.context,
		        c.id AS community_ref, c.name AS community_name, c.slug AS community_slug
		   FROM profile_activities pa
		   LEFT JOIN communities c ON c.id = pa.community_id AND c.deleted_at IS NULL
		  WHERE ${where.join(' AND ')}
		  ORDER BY pa.occurred_at ${order}, pa.id ${order}
		  LIMIT ${query.perPage + 1}`,
		parameters,
	);
	const more = rows.length > query.perPage;
	const page = rows.slice(0, query.perPage);
	if (backward) {
		page.reverse();
	}

	const first = page[0];
	const last = page.at(-1);
	const position = (row: FeedRow, direction: Cursor['direction']) => encodeCursor({occurredAt: String(row.occurred_at), id: Number(row.id), direction});
	// Forward: older rows remain when we read one extra; newer rows exist whenever we came through a cursor.
	// Backward: older rows always remain (the cursor's own row); newer rows remain when we read one extra.
	const nextCursor = last && (backward || more) ? position(last, 'next') : undefined;
	const previousCursor = first && (backward ? more : query.cursor !== undefined) ? position(first, 'prev') : undefined;
	return {
		data: page.map(row => toItem(row)),
		filters: query.communityId === undefined ? {} : {community_id: query.communityId},
		pagination: {
			type: 'cursor',
			per_page: query.perPage,
			has_more: nextCursor !== undefined,
			...(nextCursor === undefined ? {} : {next_cursor: nextCursor}),
			...(previousCursor === undefined ? {} : {previous_cursor: previousCursor}),
			count: page.length,
		},
	};
}

function toItem(row: FeedRow): FeedItem {
	return {
		id: Number(row.id),
		activity_type: String(row.activity_type),
		subject_type: String(row.subject_type),
		subject_id: Number(row.subject_id),
		occurred_at: isoUtc(row.occurred_at),
		community: row.community_ref === null || row.community_ref === undefined ? null : {id: Number(row.community_ref), name: String(row.community_name), slug: String(row.community_slug)},
		context: parseContext(row.context),
	};
}

/** The context JSON column as an object; NULL, unreadable JSON and non-object values give `{}`. */
function parseContext(value: unknown): Record<string, unknown> {
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch {
			return {};
		}
	}

	return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

function clip(text: string): string {
	return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
