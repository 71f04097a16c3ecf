import {randomBytes} from 'node:crypto';
import type {Sql} from '../db/sql.js';
import {registerSecret} from '../core/redact.js';
import {formatTimestamp} from '../core/timestamps.js';
import {hashSanctumToken, sanctumUserType} from './authenticate.js';

// Minting Sanctum tokens for the demo and testing profiles, where `verify` serves the reference API itself and
// needs a token for a sampled user (DESIGN.md §7). This WRITES a platform row: never call it in production.
export type MintedToken = {
	/** `<id>|<plain>`: what goes into `Authorization: Bearer …`. Registered as a secret, so it is redacted everywhere. */
	readonly token: string;
	readonly tokenId: number;
};

export async function mintPersonalAccessToken(
	sql: Sql,
	userId: number,
	options: {readonly name?: string; readonly expiresAt?: Date; readonly now?: Date} = {},
): Promise<MintedToken> {
	// 40 hex characters, like Sanctum's 40 random characters (letters and digits only, so redaction patterns match).
	const plain = randomBytes(20).toString('hex');
	const now = formatTimestamp(options.now ?? new Date());
	const result = await sql.run(
		`INSERT INTO personal_access_tokens (tokenable_type, tokenable_id, name, token, abilities, last_used_at, expires_at, created_at, updated_at)
		 VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
		[sanctumUserType, userId, options.name ?? 'community-runbook verify', hashSanctumToken(plain), '["*"]', options.expiresAt ? formatTimestamp(options.expiresAt) : null, now, now],
	);
	const token = `${result.insertId}|${plain}`;
	registerSecret(token);
	registerSecret(plain);
	return {token, tokenId: result.insertId};
}

/** Deletes a token minted above (verify cleans up after itself). */
export async function revokePersonalAccessToken(sql: Sql, tokenId: number): Promise<void> {
	await sql.run('DELETE FROM personal_access_tokens WHERE id = ?', [tokenId]);
}
