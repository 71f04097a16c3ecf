import {createHash, createHmac} from 'node:crypto';
import {type AppKeys, appKeysFrom, type Cipher, encrypt, ivLengthOf, phpJsonEncode, writeJsonColumn} from '../../core/laravel-crypt.js';
import type {Expressions} from './expressions.js';

// The one place the demo turns a JSON column's value into the text the column stores (DESIGN.md §2 "Encrypted
// attributes"). The six EncryptedAttribute columns are written as the platform writes them today, the envelope
// {"v":1,"ciphertext":"<Laravel payload>"}, except a few hand-crafted rows kept in the older forms a platform
// upgraded over time still has (plain JSON, a bare JSON string holding a payload); `demo --legacy-plain` writes them
// all as plain JSON. Other JSON columns (community_levels.rewards …) are plain JSON text, kept byte for byte.

export const encryptedDemoColumns = [
	'communities.settings',
	'community_members.metadata',
	'community_members.preferences',
	'community_posts.metadata',
	'community_posts.lifecycle',
	'community_points_rules.metadata',
] as const;

export type EncryptedDemoColumn = (typeof encryptedDemoColumns)[number];
export type DemoJsonColumn = EncryptedDemoColumn | 'community_levels.rewards';

/** How the demo writes the six encrypted columns: envelopes under `keys` (the platform today), or plain JSON. */
export type DemoAttributes = {readonly form: 'envelope'; readonly keys: AppKeys} | {readonly form: 'plain'};

/**
 * Hand-crafted rows (by id) written in an older form even when the rest of the column is encrypted: rows the
 * platform stored before it encrypted the column (plain) or while its cast stored the bare payload as a JSON string.
 */
export const olderFormRows: Readonly<Partial<Record<EncryptedDemoColumn, Readonly<Record<number, 'plain' | 'bare-payload'>>>>> = {
	'communities.settings': {4: 'plain', 7: 'bare-payload'}, // alumni-network (no links), peer-tutors (links)
	'community_members.metadata': {2: 'plain', 4: 'bare-payload'},
	'community_members.preferences': {10: 'plain'}, // PHP's empty array `[]`
	'community_posts.metadata': {9: 'plain'},
	'community_posts.lifecycle': {9: 'bare-payload'},
};

export type DemoJsonColumns = {
	readonly form: DemoAttributes['form'];
	/**
	 * The stored text of `json` (serialised JSON) in `column` for `row`: a row id, or the name of a variant shared by
	 * many bulk rows (encrypted once, so those rows share one ciphertext). NULL stays NULL.
	 */
	readonly text: (column: DemoJsonColumn, row: number | string, json: string | null) => string | null;
};

export function demoJsonColumns(attributes: DemoAttributes, seed: number): DemoJsonColumns {
	const isEncrypted = (column: DemoJsonColumn): column is EncryptedDemoColumn => (encryptedDemoColumns as readonly string[]).includes(column);
	return {
		form: attributes.form,
		text(column, row, json) {
			if (json === null || attributes.form === 'plain' || !isEncrypted(column)) {
				return json;
			}

			const older = typeof row === 'number' ? olderFormRows[column]?.[row] : undefined;
			if (older === 'plain') {
				return json;
			}

			const {keys} = attributes;
			const iv = demoIv(keys, seed, column, row);
			const value = JSON.parse(json) as Record<string, unknown>;
			return older === 'bare-payload' ? phpJsonEncode(encrypt(phpJsonEncode(value), keys, {iv})) : writeJsonColumn(value, 'envelope', keys, {iv});
		},
	};
}

/** Weighted choices of JSON values as SQL literals of their stored text, each variant stored (encrypted) once. */
export function jsonVariants(x: Expressions, json: DemoJsonColumns, column: DemoJsonColumn, choices: ReadonlyArray<readonly [number, string | null]>): Array<readonly [number, string | null]> {
	return choices.map(([below, value], index) => {
		const text = json.text(column, `bulk-variant-${index}`, value);
		return [below, text === null ? null : x.text(text)] as const;
	});
}

/**
 * A deterministic IV (so the same seed gives the same rows on every database): HMAC-SHA256 under the key over seed,
 * column and row, cut to the cipher's IV length. Distinct per row and column; unpredictable without the key.
 */
function demoIv(keys: AppKeys, seed: number, column: string, row: number | string): Buffer {
	if (!keys.current) {
		throw new Error('The demo encrypts its JSON columns and was given no APP_KEY.');
	}

	return createHmac('sha256', keys.current).update(`community-runbook demo IV\0${seed}\0${column}\0${row}`).digest().subarray(0, ivLengthOf(keys.cipher));
}

/** The demo's APP_KEY for a seed (`base64:` + the cipher's key length of a SHA-256): the same on every database. */
export function demoAppKey(seed: number, cipher: Cipher = 'AES-256-CBC'): string {
	const bytes = createHash('sha256').update(`community-runbook demo APP_KEY\0${seed}`).digest();
	return `base64:${bytes.subarray(0, cipher.includes('128') ? 16 : 32).toString('base64')}`;
}

/** The keys of demoAppKey(seed): what generateDemo encrypts with when its caller names no keys. */
export function demoAppKeys(seed: number, cipher: Cipher = 'AES-256-CBC'): AppKeys {
	return appKeysFrom({APP_KEY: demoAppKey(seed, cipher)}, cipher, `the demo's APP_KEY for seed ${seed}`);
}
