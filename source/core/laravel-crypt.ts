import {PrerequisiteFailed} from './errors.js';
import {type AppKeys, decrypt, DecryptError, encrypt, type EncryptOptions, looksLikePayload} from './laravel-encrypter.js';
import {phpJsonEncode} from './php-json.js';

// The platform's encrypted JSON columns (DESIGN.md §2 "Encrypted attributes"): communities.settings,
// community_members.metadata and .preferences, community_posts.metadata and .lifecycle,
// community_points_rules.metadata. This module is the one entry point: it re-exports the encrypter and PHP's JSON.

export {type AppKeys, appKeysFrom, type Cipher, decrypt, DecryptError, type DecryptFailure, encrypt, type EncryptOptions, ivLengthOf, parseCipher} from './laravel-encrypter.js';
export {phpJsonEncode} from './php-json.js';

export type ColumnForm = 'null' | 'plain' | 'envelope' | 'bare-payload';

/** A stored value the tool cannot read; `reason` fits "table / row / reason" messages (no secrets, no plaintext). */
export class ColumnUnreadable extends PrerequisiteFailed {
	constructor(readonly reason: string) {
		super(reason);
	}
}

export function readJsonColumn(stored: string | null, keys: AppKeys | null): {form: ColumnForm; value: Record<string, unknown>} {
	if (stored === null || stored === '') {
		return {form: 'null', value: {}};
	}

	const parsed = parseJsonText(stored, 'not JSON');
	if (isEnvelopeValue(parsed)) {
		return {form: 'envelope', value: decryptedObject(parsed.ciphertext, keys)};
	}

	if (typeof parsed === 'string') {
		if (!looksLikePayload(parsed)) {
			throw new ColumnUnreadable('a JSON string that is not an encrypted payload');
		}

		return {form: 'bare-payload', value: decryptedObject(parsed, keys)};
	}

	return {form: 'plain', value: asObject(parsed, 'JSON')};
}

/**
 * The text to store for `value`: plain JSON, or the envelope the platform writes today. `options.iv` fixes the IV of
 * the envelope's payload: only the demo generator passes it (see EncryptOptions); the jobs never do.
 */
export function writeJsonColumn(value: Record<string, unknown>, form: 'envelope' | 'plain', keys: AppKeys | null, options: EncryptOptions = {}): string {
	if (form === 'plain') {
		return phpJsonEncode(value);
	}

	if (!keys) {
		throw new PrerequisiteFailed('Writing an encrypted column needs the platform\'s APP_KEY, and no key was looked up.', {
			hint: 'Set APP_KEY in the environment or in <app root>/.env, or pass --encrypted-attributes=never if the platform does not encrypt these columns.',
		});
	}

	return phpJsonEncode({v: 1, ciphertext: encrypt(phpJsonEncode(value), keys, options)});
}

/** Cheap (no decryption): is this stored text an envelope {"v":1,"ciphertext":…}? Decides --encrypted-attributes=auto. */
export function isEnvelope(stored: string | null): boolean {
	if (stored === null || !stored.includes('"ciphertext"')) {
		return false;
	}

	try {
		return isEnvelopeValue(JSON.parse(stored));
	} catch {
		return false;
	}
}

function isEnvelopeValue(value: unknown): value is {v: 1; ciphertext: string} {
	const candidate = value as {v?: unknown; ciphertext?: unknown} | null;
	return typeof candidate === 'object' && candidate !== null && !Array.isArray(candidate) && candidate.v === 1 && typeof candidate.ciphertext === 'string';
}

function decryptedObject(payload: string, keys: AppKeys | null): Record<string, unknown> {
	if (!keys?.current) {
		throw new ColumnUnreadable(`encrypted, and no APP_KEY is configured (looked for ${keys?.source ?? 'APP_KEY'})`);
	}

	let plaintext: string;
	try {
		plaintext = decrypt(payload, keys);
	} catch (error) {
		if (error instanceof DecryptError) {
			throw new ColumnUnreadable(`cannot decrypt (${error.reason}): ${error.message}`);
		}

		throw error;
	}

	return asObject(parseJsonText(plaintext, 'decrypted, but the plaintext is not JSON'), 'decrypted JSON');
}

function parseJsonText(text: string, reason: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		throw new ColumnUnreadable(reason);
	}
}

/** An object, or PHP's empty array `[]`; anything else (a scalar, a non-empty list) is not a column value we know. */
function asObject(value: unknown, what: string): Record<string, unknown> {
	if (Array.isArray(value) && value.length === 0) {
		return {};
	}

	if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
		return value as Record<string, unknown>;
	}

	throw new ColumnUnreadable(`${what} that is ${Array.isArray(value) ? 'a non-empty list' : `a ${value === null ? 'null' : typeof value}`}, not an object`);
}
