import {canonicalJson, sha1} from '../../core/canonical-json.js';

/** A profile_activities row as this job writes it (tracked columns; `context` is the exact JSON text stored). */
export type ActivityRow = {
	readonly user_id: number;
	readonly community_id: number | null;
	readonly activity_type: string;
	readonly subject_type: string;
	readonly subject_id: number;
	readonly idempotency_key: string;
	readonly occurred_at: string;
	readonly context: string;
};

/** The content columns compared with an existing row of the same key (DESIGN.md §3.3). */
export const contentColumns = ['user_id', 'community_id', 'activity_type', 'subject_type', 'subject_id', 'occurred_at', 'context'] as const;

/** sha1 of `profile:<kind>:<id>:<community id or global>`. */
export function idempotencyKey(kind: 'community_post' | 'community_comment' | 'course_completion', id: number, communityId: number | null): string {
	return sha1(`profile:${kind}:${id}:${communityId ?? 'global'}`);
}

/**
 * Context JSON in a fixed key order (the order the caller lists the entries), stored as exactly this text so the
 * row hash of the undo log matches what the database returns.
 */
export function contextJson(entries: ReadonlyArray<readonly [string, unknown]>): string {
	const object: Record<string, unknown> = {};
	for (const [key, value] of entries) {
		object[key] = value ?? null;
	}

	return JSON.stringify(object);
}

/** True when an existing row already holds this content (numbers and JSON compared by value, not by spelling). */
export function sameContent(existing: Readonly<Record<string, unknown>>, row: ActivityRow): boolean {
	return (
		numberOrNull(existing.user_id) === row.user_id &&
		numberOrNull(existing.community_id) === row.community_id &&
		String(existing.activity_type) === row.activity_type &&
		String(existing.subject_type) === row.subject_type &&
		numberOrNull(existing.subject_id) === row.subject_id &&
		timestampText(existing.occurred_at) === timestampText(row.occurred_at) &&
		jsonValue(existing.context) === jsonValue(row.context)
	);
}

function numberOrNull(value: unknown): number | null {
	return value === null || value === undefined ? null : Number(value);
}

/** 'YYYY-MM-DD HH:MM:SS' for the ISO spellings a platform may have stored; anything else compared as is. */
export function timestampText(value: unknown): string | null {
	if (value === null || value === undefined) {
		return null;
	}

	const text = String(value);
	const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.0+)?Z?$/.exec(text);
	return match ? `${match[1]} ${match[2]}` : text;
}

function jsonValue(value: unknown): string {
	if (value === null || value === undefined) {
		return 'null';
	}

	try {
		return canonicalJson(JSON.parse(String(value)));
	} catch {
		// Not JSON: it can only equal the same text.
		return `text:${String(value)}`;
	}
}
