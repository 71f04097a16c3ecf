import type {Sql} from '../sql.js';
import {type DemoLayout, specialCommunities, specialUsers} from './cast.js';
import {formatTimestamp, insertRows} from './insert-rows.js';
import {sha256 as sha256Hex} from '../../core/canonical-json.js';
import type {DemoJsonColumns} from './json-columns.js';
import {plainToken} from './random.js';
import {type DemoClock, daySeconds} from './sizes.js';

// Sanctum personal_access_tokens (DESIGN.md §2, §7) and a few pre-existing baseline rows.

export const demoTokenName = 'community-runbook-demo';

export type DemoToken = {readonly id: number; readonly plain: string; readonly token: string};

/** A few users' tokens, then the internal user's; returns the internal token as `<id>|<plain>`. */
export async function insertTokens(sql: Sql, layout: DemoLayout, seed: number, clock: DemoClock): Promise<DemoToken> {
	const recent = (days: number) => formatTimestamp(clock.recentEnd - days * daySeconds);
	const old = (days: number) => formatTimestamp(clock.reference - days * daySeconds);
	const first = layout.firstBulkUser;
	// [user, name, abilities, last_used_at, expires_at, created_at]
	const tokens: Array<[number, string, string, string | null, string | null, string]> = [
		[first, 'mobile-app', '["*"]', recent(1), null, old(120)],
		[first + 1, 'mobile-app', '["*"]', null, null, old(60)],
		[first + 2, 'zapier-sync', '["read"]', recent(3), null, old(300)],
		[specialUsers.lowerRole, 'old-laptop', '["*"]', old(400), old(300), old(500)], // expired
		[specialUsers.internal, demoTokenName, '["*"]', null, null, recent(0)],
	];
	const plains = tokens.map((_, index) => plainToken(seed, index === tokens.length - 1 ? demoTokenName : `token-${index + 1}`));
	await insertRows(
		sql,
		'personal_access_tokens',
		['id', 'tokenable_type', 'tokenable_id', 'name', 'token', 'abilities', 'last_used_at', 'expires_at', 'created_at', 'updated_at'],
		tokens.map(([userId, name, abilities, lastUsed, expires, created], index) => [index + 1, 'App\\Models\\User', userId, name, sha256Hex(plains[index]!), abilities, lastUsed, expires, created, lastUsed ?? created]),
	);
	const id = tokens.length;
	const plain = plains[id - 1]!;
	return {id, plain, token: `${id}|${plain}`};
}

/**
 * Rows the platform already had before stage 11: an outdated `general` category (seed-baseline updates it), and a
 * level and a points rule of community 1 that the global (community_id NULL) upserts must not confuse with theirs.
 */
export async function insertBaselineLeftovers(sql: Sql, clock: DemoClock, json: DemoJsonColumns): Promise<number> {
	const at = formatTimestamp(clock.reference - 700 * daySeconds);
	await insertRows(
		sql,
		'community_categories',
		['id', 'slug', 'name', 'tagline', 'description', 'icon_path', 'color_hex', 'sort_order', 'is_active', 'created_at', 'updated_at'],
		[[1, 'general', 'General', 'Announcements', 'Created by the platform before stage 11.', 'communities/icons/general.svg', '#1d4ed8', 1, 1, at, at]],
	);
	await insertRows(
		sql,
		'community_levels',
		['id', 'community_id', 'level', 'name', 'badge_path', 'points_required', 'description', 'rewards', 'is_active', 'created_at', 'updated_at'],
		[[1, specialCommunities.campusGeneral, 1, 'Rookie', 'communities/badges/rookie.svg', 0, 'Campus General only', json.text('community_levels.rewards', 1, '{"badge":"rookie"}'), 1, at, at]],
	);
	await insertRows(
		sql,
		'community_points_rules',
		['id', 'community_id', 'action', 'points', 'cooldown_seconds', 'is_active', 'conditions', 'metadata', 'created_at', 'updated_at'],
		[[1, specialCommunities.campusGeneral, 'post', 20, 0, 1, null, json.text('community_points_rules.metadata', 1, '{"note":"double points for campus posts"}'), at, at]],
	);
	return 3;
}
