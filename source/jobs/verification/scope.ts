import type {Sql} from '../../db/sql.js';
import type {PlatformSettings} from '../../core/platform-settings.js';
import {parseTimestamp} from '../../core/timestamps.js';
import {platformTime} from '../platform/local-time.js';
import {type ClassroomLink, loadCommunityLinks, rolePriority, type RoleName} from '../classroom-links.js';
import type {VerifiedRun} from './runs.js';

// What the verified runs covered, recomputed from their recorded parameters and work-set bounds (runbook_runs params
// and state) and from the source tables — never from the jobs' own code, so a bug there cannot hide itself.

export type BackfillScope = {
	/** Valid links of the communities in scope (non-deleted; the ones named by --community, if any). */
	readonly links: readonly ClassroomLink[];
	/** Linked course id → its links. */
	readonly byCourse: ReadonlyMap<number, readonly ClassroomLink[]>;
	/** enrollments.id bound fixed at the run's start; null when the run did not record one. */
	readonly enrollmentsBound: number | null;
	/** joined_at when an enrollment has neither entry_date nor created_at: the run's start, on the platform's clock. */
	readonly fallbackJoinedAt: string;
	/** The platform's zone and keys: dates are its wall clock, metadata may be encrypted (DESIGN.md §2). */
	readonly platform: PlatformSettings;
};

export type MigrationScope = {
	/** 'YYYY-MM-DD HH:MM:SS' on the platform's clock, or null (every row). */
	readonly since: string | null;
	readonly bounds: {readonly posts: number | null; readonly comments: number | null; readonly certificates: number | null};
	/** Course id → ids of the non-deleted communities linking it, ascending. */
	readonly courseCommunities: ReadonlyMap<number, readonly number[]>;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const positiveOrNull = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null);

/** The communities a backfill run covered: its --community tokens (ids or slugs) among non-deleted ones, else all. */
async function backfillCommunityIds(sql: Sql, run: VerifiedRun): Promise<number[] | undefined> {
	const tokens = Array.isArray(run.params.community) ? run.params.community.map(String) : typeof run.params.community === 'string' ? run.params.community.split(',') : undefined;
	if (!tokens || tokens.length === 0) {
		return undefined;
	}

	const rows = await sql.all<{id: unknown; slug: unknown}>('SELECT id, slug FROM communities WHERE deleted_at IS NULL ORDER BY id');
	return rows.filter(row => tokens.some(token => token.trim() === String(row.slug) || (/^\d+$/.test(token.trim()) && Number(token) === Number(row.id)))).map(row => Number(row.id));
}

export async function backfillScope(sql: Sql, run: VerifiedRun, platform: PlatformSettings): Promise<BackfillScope> {
	const communityIds = await backfillCommunityIds(sql, run);
	const {communities} = await loadCommunityLinks(sql, {...(communityIds ? {communityIds} : {}), keys: platform.keys});
	const links = communities.flatMap(community => community.links);
	const byCourse = new Map<number, ClassroomLink[]>();
	for (const link of links) {
		byCourse.set(link.courseId, [...(byCourse.get(link.courseId) ?? []), link]);
	}

	return {links, byCourse, enrollmentsBound: positiveOrNull(run.state.upperBound), fallbackJoinedAt: platformTime(platform, parseTimestamp(run.startedAt)), platform};
}

export async function migrationScope(sql: Sql, run: VerifiedRun, platform: PlatformSettings): Promise<MigrationScope> {
	const work = isObject(run.state.work) ? run.state.work : {};
	const rawSince = typeof work.since === 'string' ? work.since : typeof run.state.since === 'string' ? run.state.since : null;
	const since = rawSince === null || Number.isNaN(Date.parse(rawSince)) ? null : platformTime(platform, new Date(rawSince));
	const bounds = isObject(work.upperBounds) ? work.upperBounds : {};
	const {communities} = await loadCommunityLinks(sql, {keys: platform.keys});
	const courseCommunities = new Map<number, number[]>();
	for (const link of communities.flatMap(community => community.links)) {
		const list = courseCommunities.get(link.courseId) ?? [];
		if (!list.includes(link.communityId)) {
			list.push(link.communityId);
		}

		courseCommunities.set(link.courseId, list.sort((a, b) => a - b));
	}

	return {
		since,
		bounds: {posts: positiveOrNull(bounds.community_posts), comments: positiveOrNull(bounds.community_post_comments), certificates: positiveOrNull(bounds.certificates)},
		courseCommunities,
	};
}

export function priorityOf(role: unknown): number {
	return rolePriority[String(role) as RoleName] ?? 0;
}
