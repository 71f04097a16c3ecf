import {createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual} from 'node:crypto';
import {PrerequisiteFailed, UsageError} from './errors.js';

// Laravel's Encrypter (`Crypt::encryptString` / `decryptString`), DESIGN.md §2 "Encrypted attributes". The payload is
// base64 of the JSON {iv, value, mac, tag}; `value` is what openssl_encrypt returns with options 0 (base64 already).
// Import it through laravel-crypt.ts, which adds the JSON-column layer.

export type Cipher = 'AES-256-CBC' | 'AES-128-CBC' | 'AES-256-GCM' | 'AES-128-GCM';

type CipherSpec = {readonly keyLength: number; readonly ivLength: number; readonly aead: boolean; readonly openssl: string};

const cipherSpecs: Readonly<Record<Cipher, CipherSpec>> = {
	'AES-128-CBC': {keyLength: 16, ivLength: 16, aead: false, openssl: 'aes-128-cbc'},
	'AES-256-CBC': {keyLength: 32, ivLength: 16, aead: false, openssl: 'aes-256-cbc'},
	'AES-128-GCM': {keyLength: 16, ivLength: 12, aead: true, openssl: 'aes-128-gcm'},
	'AES-256-GCM': {keyLength: 32, ivLength: 12, aead: true, openssl: 'aes-256-gcm'},
};

const gcmTagLength = 16;

export function parseCipher(text: string): Cipher {
	const cipher = Object.keys(cipherSpecs).find(name => name === text.trim().toUpperCase());
	if (!cipher) {
		throw new UsageError(`--app-cipher "${text}" is not a cipher Laravel supports.`, {
			hint: `Use one of ${Object.keys(cipherSpecs).join(', ')} (the "cipher" of the platform's config/app.php).`,
		});
	}

	return cipher as Cipher;
}

export type AppKeys = {
	readonly current: Buffer | null;
	readonly previous: readonly Buffer[];
	readonly cipher: Cipher;
	/** Where the key was looked for or found, e.g. "APP_KEY in /srv/app/.env"; never the key. */
	readonly source: string;
};

/** Laravel's key rule: a `base64:` prefix means base64-encoded, anything else is the raw bytes of the text. */
export function appKeysFrom(environment: {readonly APP_KEY?: string; readonly APP_PREVIOUS_KEYS?: string}, cipher: Cipher, source: string): AppKeys {
	const current = environment.APP_KEY ? checkedKey(environment.APP_KEY, cipher, 'APP_KEY', source) : null;
	// Laravel's config/app.php: array_filter(explode(',', APP_PREVIOUS_KEYS)), so empty entries are dropped.
	const previous = (environment.APP_PREVIOUS_KEYS ?? '')
		.split(',')
		.filter(text => text !== '')
		.map((text, index) => checkedKey(text, cipher, `APP_PREVIOUS_KEYS entry ${index + 1}`, source));
	return {current, previous, cipher, source};
}

function checkedKey(text: string, cipher: Cipher, name: string, source: string): Buffer {
	const key = text.startsWith('base64:') ? Buffer.from(text.slice('base64:'.length), 'base64') : Buffer.from(text, 'utf8');
	const expected = cipherSpecs[cipher].keyLength;
	if (key.length !== expected) {
		throw new PrerequisiteFailed(`${name} is ${key.length} bytes long; ${cipher} needs a ${expected}-byte key (${source}).`, {
			hint: `Set it to the platform's own key ("base64:" followed by ${expected} base64-encoded bytes), or pass --app-cipher with the platform's cipher.`,
		});
	}

	return key;
}

export type DecryptFailure = 'bad-mac' | 'bad-payload' | 'no-key' | 'bad-decrypt';

/** Why a payload could not be decrypted; the message never holds key material or plaintext. */
export class DecryptError extends Error {
	constructor(
		readonly reason: DecryptFailure,
		message: string,
	) {
		super(message);
		this.name = 'DecryptError';
	}
}

/** The IV length `cipher` needs (16 bytes for CBC, 12 for GCM). */
export function ivLengthOf(cipher: Cipher): number {
	return cipherSpecs[cipher].ivLength;
}

export type EncryptOptions = {
	/**
	 * A fixed IV instead of a random one, exactly `ivLengthOf(cipher)` bytes. Only the demo generator passes it (a
	 * deterministic dataset: the same seed gives the same rows on every database); everything that writes the
	 * platform's data leaves it out. Reusing an IV with the same key weakens the encryption: never pass a constant.
	 */
	readonly iv?: Buffer;
};

export function encrypt(plaintext: string, keys: AppKeys, options: EncryptOptions = {}): string {
	if (!keys.current) {
		throw new PrerequisiteFailed(`Encrypting a value needs the platform's APP_KEY, and none is set (looked for ${keys.source}).`, {
			hint: 'Set APP_KEY in the environment or in <app root>/.env, as the platform has it.',
		});
	}

	const spec = cipherSpecs[keys.cipher];
	if (options.iv && options.iv.length !== spec.ivLength) {
		throw new TypeError(`encrypt: the IV given is ${options.iv.length} bytes; ${keys.cipher} needs ${spec.ivLength}.`);
	}

	const ivBytes = options.iv ?? randomBytes(spec.ivLength);
	const cipher = createCipheriv(spec.openssl, keys.current, ivBytes);
	const value = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
	const iv = ivBytes.toString('base64');
	const mac = spec.aead ? '' : macOf(iv, value, keys.current);
	const tag = spec.aead ? (cipher as ReturnType<typeof createCipheriv> & {getAuthTag(): Buffer}).getAuthTag().toString('base64') : '';
	// Laravel 11 encodes the payload JSON with JSON_UNESCAPED_SLASHES, in compact('iv', 'value', 'mac', 'tag') order.
	return Buffer.from(JSON.stringify({iv, value, mac, tag}), 'utf8').toString('base64');
}

export function decrypt(payload: string, keys: AppKeys): string {
	if (!keys.current) {
		throw new DecryptError('no-key', `The value is encrypted and no APP_KEY is configured (looked for ${keys.source}).`);
	}

	const spec = cipherSpecs[keys.cipher];
	const parts = parsePayload(payload, spec);
	let foundValidMac = false;
	for (const key of [keys.current, ...keys.previous]) {
		if (!spec.aead) {
			if (!macMatches(parts, key)) {
				continue;
			}

			foundValidMac = true;
		}

		const plaintext = tryDecrypt(parts, key, spec);
		if (plaintext !== undefined) {
			return plaintext;
		}
	}

	if (!spec.aead && !foundValidMac) {
		throw new DecryptError('bad-mac', `The MAC is invalid: neither APP_KEY nor any key of APP_PREVIOUS_KEYS produced it (${keys.source}).`);
	}

	throw new DecryptError('bad-decrypt', `Could not decrypt the data with ${keys.cipher} and the configured keys (${keys.source}).`);
}

type PayloadParts = {readonly iv: string; readonly value: string; readonly mac: string; readonly ivBytes: Buffer; readonly tag: Buffer | undefined};

/** Laravel's validPayload and ensureTagIsValid: iv/value/mac strings, an IV of the cipher's length, a tag only for AEAD. */
function parsePayload(payload: string, spec: CipherSpec): PayloadParts {
	const decoded = parseJsonObject(Buffer.from(payload, 'base64').toString('utf8'));
	const {iv, value, mac, tag} = decoded ?? {};
	if (typeof iv !== 'string' || typeof value !== 'string' || typeof mac !== 'string' || (tag !== undefined && tag !== null && typeof tag !== 'string')) {
		throw new DecryptError('bad-payload', 'The payload is invalid: not a Laravel encrypted payload (base64 JSON with iv, value and mac).');
	}

	// Laravel decodes the IV strictly (base64_decode($iv, true)); Node's decoder would skip stray characters.
	const ivBytes = Buffer.from(iv, 'base64');
	if (!/^[A-Za-z\d+/]*={0,2}$/.test(iv) || ivBytes.length !== spec.ivLength) {
		throw new DecryptError('bad-payload', `The payload is invalid: its IV is ${ivBytes.length} bytes, the cipher needs ${spec.ivLength}.`);
	}

	const tagBytes = typeof tag === 'string' && tag !== '' ? Buffer.from(tag, 'base64') : undefined;
	if (spec.aead ? tagBytes?.length !== gcmTagLength : tagBytes !== undefined) {
		throw new DecryptError('bad-payload', spec.aead ? 'The payload is invalid: its GCM tag is missing or not 16 bytes.' : 'The payload is invalid: it carries a tag, which this (non-AEAD) cipher does not use.');
	}

	return {iv, value, mac, ivBytes, tag: tagBytes};
}

/** Cheap shape check (no key needed): base64 of a JSON object with iv, value and mac strings. */
export function looksLikePayload(text: string): boolean {
	const decoded = parseJsonObject(Buffer.from(text, 'base64').toString('utf8'));
	return decoded !== undefined && typeof decoded.iv === 'string' && typeof decoded.value === 'string' && typeof decoded.mac === 'string';
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
	try {
		const parsed: unknown = JSON.parse(text);
		return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** Laravel: hash_hmac('sha256', $iv . $value, $key) over the base64 TEXTS, lowercase hex. */
function macOf(iv: string, value: string, key: Buffer): string {
	return createHmac('sha256', key).update(iv + value, 'utf8').digest('hex');
}

function macMatches(parts: PayloadParts, key: Buffer): boolean {
	const expected = Buffer.from(macOf(parts.iv, parts.value, key), 'utf8');
	const given = Buffer.from(parts.mac, 'utf8');
	return expected.length === given.length && timingSafeEqual(expected, given);
}

function tryDecrypt(parts: PayloadParts, key: Buffer, spec: CipherSpec): string | undefined {
	try {
		const decipher = createDecipheriv(spec.openssl, key, parts.ivBytes);
		if (parts.tag) {
			(decipher as ReturnType<typeof createDecipheriv> & {setAuthTag(tag: Buffer): void}).setAuthTag(parts.tag);
		}

		return Buffer.concat([decipher.update(parts.value, 'base64'), decipher.final()]).toString('utf8');
	} catch {
		return undefined;
	}
}
