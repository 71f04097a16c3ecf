import {createHash, timingSafeEqual} from 'node:crypto';
import type {Sql} from '../db/sql.js';
import {parseDatabaseTimestamp} from './timestamps.js';

// Laravel Sanctum's personal access tokens (DESIGN.md §2): the client sends `<id>|<plain>`, the row stores the
// sha256 hex of `<plain>`. Read-only on purpose: unlike Sanctum we never touch last_used_at, because the tool must
// not write platform rows while it verifies. The token is never logged or echoed.
export const sanctumUserType = String.raw`App\Models\User`;

export type AuthenticatedUser = {readonly userId: number; readonly tokenId: number};

/** sha256 hex of a token's plain part: what `personal_access_tokens.token` holds. */
export function hashSanctumToken(plain: string): string {
	return createHash('sha256').update(plain, 'utf8').digest('hex');
}

/** `Bearer <token>` → `<token>`; undefined when the header is missing or of another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
	const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header ?? '');
	return match?.[1];
}

type TokenRow = {id: unknown; tokenable_type: unknown; tokenable_id: unknown; token: unknown; expires_at: unknown};

/**
 * The user a bearer token belongs to, or undefined (→ 401). Like Sanctum's `findToken`: `<id>|<plain>` is looked up
 * by id and compared in constant time; a token without `|` is looked up by its hash. Expired tokens (expires_at in
 * the past), tokens of other tokenable types and tokens of users that no longer exist are refused.
 */
export async function authenticateBearer(sql: Sql, token: string | undefined, now: Date = new Date()): Promise<AuthenticatedUser | undefined> {
	if (!token) {
		return undefined;
	}

	const separator = token.indexOf('|');
	const plain = separator === -1 ? token : token.slice(separator + 1);
	if (plain === '') {
		return undefined;
	}

	const hash = hashSanctumToken(plain);
	let row: TokenRow | undefined;
	const columns = 'SELECT id, tokenable_type, tokenable_id, token, expires_at FROM personal_access_tokens';
	if (separator === -1) {
		row = await sql.get<TokenRow>(`${columns} WHERE token = ?`, [hash]);
	} else {
		const id = token.slice(0, separator);
		if (!/^[1-9]\d{0,15}$/.test(id)) {
			return undefined;
		}

		row = await sql.get<TokenRow>(`${columns} WHERE id = ?`, [Number(id)]);
	}

	if (!row || !sameHash(String(row.token ?? ''), hash) || row.tokenable_type !== sanctumUserType || isExpired(row.expires_at, now)) {
		return undefined;
	}

	const userId = Number(row.tokenable_id);
	const user = await sql.get<{id: unknown}>('SELECT id FROM users WHERE id = ?', [userId]);
	return user ? {userId, tokenId: Number(row.id)} : undefined;
}

function sameHash(stored: string, computed: string): boolean {
	const expected = Buffer.from(computed, 'utf8');
	const actual = Buffer.from(stored.toLowerCase(), 'utf8');
	// Compare equal-length buffers only; a length mismatch still costs one comparison.
	return actual.length === expected.length ? timingSafeEqual(actual, expected) : !timingSafeEqual(expected, expected);
}

/** expires_at NULL never expires; a past (or unreadable) value is expired. */
function isExpired(expiresAt: unknown, now: Date): boolean {
	if (expiresAt === null || expiresAt === undefined || expiresAt === '') {
		return false;
	}

	const expiry = parseDatabaseTimestamp(expiresAt);
	return expiry === undefined || expiry.getTime() <= now.getTime();
}
