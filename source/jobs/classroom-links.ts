import {ColumnUnreadable, readJsonColumn} from '../core/laravel-crypt.js';
import type {AppKeys} from '../core/laravel-encrypter.js';
import type {Sql} from '../db/sql.js';

// Classroom links (DESIGN.md §2): a community's linked courses live in communities.settings under `classroom_links`,
// an object keyed by course id or a list. Communities are few, so links are parsed here in TypeScript. settings is
// one of the platform's encrypted attributes: read in any form it was stored in (plain, envelope, bare payload).

export type RoleName = 'owner' | 'admin' | 'moderator' | 'member';

export const rolePriority: Record<RoleName, number> = {member: 1, moderator: 2, admin: 3, owner: 4};

/** The role of a priority (1..4); anything else is member. */
export function roleOfPriority(priority: number): RoleName {
	return (Object.keys(rolePriority) as RoleName[]).find(role => rolePriority[role] === priority) ?? 'member';
}

const roleAliases: Readonly<Record<string, RoleName>> = {
	student: 'member',
	learner: 'member',
	participant: 'member',
	teacher: 'admin',
	instructor: 'admin',
	facilitator: 'moderator',
	assistant: 'moderator',
	owner: 'owner',
	admin: 'admin',
	moderator: 'moderator',
	member: 'member',
};

/** A link's `default_role`, lower-cased and mapped; missing or unknown → member. */
export function mapRole(raw: unknown): RoleName {
	if (typeof raw !== 'string') {
		return 'member';
	}

	return roleAliases[raw.trim().toLowerCase()] ?? 'member';
}

export type ClassroomLink = {communityId: number; courseId: number; role: RoleName};

export type CommunityLinks = {
	communityId: number;
	slug: string;
	links: ClassroomLink[];
	invalid: Array<{entry: unknown; reason: string}>;
};

/** `settings` that cannot be read (not JSON, a bad MAC, no key…). The prerequisite step fails on it (exit 3). */
export class SettingsUnreadable extends Error {
	constructor(
		readonly communityId: number,
		readonly slug: string,
		readonly reason: string,
	) {
		super(`Community ${slug} (id ${communityId}): ${reason}`);
		this.name = 'SettingsUnreadable';
	}
}

/** A positive integer course id from a number or a numeric string ("12"); null otherwise. */
function courseIdOf(value: unknown): number | null {
	if (typeof value === 'number') {
		return Number.isSafeInteger(value) && value > 0 ? value : null;
	}

	if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
		const id = Number(value.trim());
		return Number.isSafeInteger(id) && id > 0 ? id : null;
	}

	return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses one community's settings into its valid links (same course twice → highest role) and invalid entries. */
export function parseClassroomLinks(communityId: number, slug: string, settings: string | null, keys: AppKeys | null = null): CommunityLinks {
	const result: CommunityLinks = {communityId, slug, links: [], invalid: []};
	let parsed: Record<string, unknown>;
	try {
		parsed = readJsonColumn(settings, keys).value;
	} catch (error) {
		if (error instanceof ColumnUnreadable) {
			throw new SettingsUnreadable(communityId, slug, `settings cannot be read: ${error.reason}`);
		}

		throw error;
	}

	if (parsed.classroom_links === undefined || parsed.classroom_links === null) {
		return result;
	}

	const raw = parsed.classroom_links;
	let entries: Array<[string | null, unknown]>;
	if (Array.isArray(raw)) {
		entries = raw.map(entry => [null, entry]);
	} else if (isObject(raw)) {
		entries = Object.entries(raw);
	} else {
		result.invalid.push({entry: raw, reason: 'classroom_links is neither an object nor a list'});
		return result;
	}

	const byCourse = new Map<number, ClassroomLink>();
	for (const [key, entry] of entries) {
		const body = isObject(entry) ? entry : {};
		const rawCourse = body.course_id !== undefined && body.course_id !== null ? body.course_id : key;
		const courseId = courseIdOf(rawCourse);
		if (courseId === null) {
			result.invalid.push({entry: key === null ? entry : {[key]: entry}, reason: `course id ${JSON.stringify(rawCourse ?? null)} is not a positive integer`});
			continue;
		}

		const role = mapRole(body.default_role);
		const known = byCourse.get(courseId);
		if (!known || rolePriority[role] > rolePriority[known.role]) {
			byCourse.set(courseId, {communityId, courseId, role});
		}
	}

	result.links = [...byCourse.values()].sort((a, b) => a.courseId - b.courseId);
	return result;
}

/** Links of every non-deleted community (or the given ones), in id order; unreadable settings are listed apart. */
export async function loadCommunityLinks(
	sql: Sql,
	options: {communityIds?: number[]; keys?: AppKeys | null} = {},
): Promise<{communities: CommunityLinks[]; unreadable: Array<{communityId: number; slug: string; reason: string}>}> {
	const ids = options.communityIds;
	if (ids && ids.length === 0) {
		return {communities: [], unreadable: []};
	}

	const filter = ids ? ` AND id IN (${ids.map(() => '?').join(', ')})` : '';
	const rows = await sql.all<{id: unknown; slug: unknown; settings: unknown}>(`SELECT id, slug, settings FROM communities WHERE deleted_at IS NULL${filter} ORDER BY id`, ids ?? []);
	const communities: CommunityLinks[] = [];
	const unreadable: Array<{communityId: number; slug: string; reason: string}> = [];
	for (const row of rows) {
		const communityId = Number(row.id);
		const slug = String(row.slug);
		const settings = row.settings === null || row.settings === undefined ? null : typeof row.settings === 'string' ? row.settings : JSON.stringify(row.settings);
		try {
			communities.push(parseClassroomLinks(communityId, slug, settings, options.keys ?? null));
		} catch (error) {
			if (error instanceof SettingsUnreadable) {
				unreadable.push({communityId, slug, reason: error.reason});
			} else {
				throw error;
			}
		}
	}

	return {communities, unreadable};
}
