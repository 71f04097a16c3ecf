import {createDecipheriv, createHmac} from 'node:crypto';

// The platform's encrypted JSON columns read back from the documented format alone (DESIGN.md §2 "Encrypted
// attributes"), with node:crypto and none of the tool's modules: envelope {"v":1,"ciphertext":"<payload>"} as PHP's
// json_encode writes it (`/` escaped), older rows plain JSON or a bare JSON string holding the payload; the payload
// is base64 of {iv, value, mac, tag}, mac = hex HMAC-SHA256 over the iv and value texts, AES-256-CBC.

export const encryptedColumns = [
	['communities', 'settings'],
	['community_members', 'metadata'],
	['community_members', 'preferences'],
	['community_posts', 'metadata'],
	['community_posts', 'lifecycle'],
	['community_points_rules', 'metadata'],
] as const;

export type StoredForm = 'plain' | 'envelope' | 'bare-payload';

export type OpenedValue = {readonly form: StoredForm; readonly plaintext: string; readonly value: unknown};

/** A JSON string of base64 characters in which every `/` is escaped, as PHP writes it. */
const phpBase64String = String.raw`"((?:[A-Za-z\d+=]|\\/)+)"`;
const envelopePattern = new RegExp(String.raw`^\{"v":1,"ciphertext":${phpBase64String}\}$`);
const barePattern = new RegExp(`^${phpBase64String}$`);

/** The key bytes of an APP_KEY text (`base64:` prefix, or the raw characters). */
export function keyBytesOf(appKey: string): Buffer {
	return appKey.startsWith('base64:') ? Buffer.from(appKey.slice('base64:'.length), 'base64') : Buffer.from(appKey, 'utf8');
}

/** Decrypts a Laravel payload; throws when it is not one or when its MAC does not match under `key`. */
export function decryptPayload(payload: string, key: Buffer): string {
	const decoded = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as {iv: string; value: string; mac: string; tag: string};
	if (Object.keys(decoded).join(',') !== 'iv,value,mac,tag' || decoded.tag !== '') {
		throw new Error(`not a CBC payload: ${Object.keys(decoded).join(',')}`);
	}

	const mac = createHmac('sha256', key).update(decoded.iv + decoded.value, 'utf8').digest('hex');
	if (mac !== decoded.mac) {
		throw new Error('MAC mismatch');
	}

	const decipher = createDecipheriv('aes-256-cbc', key, Buffer.from(decoded.iv, 'base64'));
	return Buffer.concat([decipher.update(decoded.value, 'base64'), decipher.final()]).toString('utf8');
}

/** A stored value of one of the six columns: its form, the JSON text it holds (decrypted) and that JSON parsed. */
export function openStored(stored: string, appKey: string | undefined): OpenedValue {
	const envelope = envelopePattern.exec(stored);
	const bare = envelope ? undefined : barePattern.exec(stored);
	const escaped = envelope?.[1] ?? bare?.[1];
	if (escaped === undefined) {
		return {form: 'plain', plaintext: stored, value: JSON.parse(stored) as unknown};
	}

	if (appKey === undefined) {
		throw new Error('an encrypted value, and no key');
	}

	const plaintext = decryptPayload(escaped.replaceAll('\\/', '/'), keyBytesOf(appKey));
	return {form: envelope ? 'envelope' : 'bare-payload', plaintext, value: JSON.parse(plaintext) as unknown};
}
