import {createCipheriv, createHmac} from 'node:crypto';
import test from 'ava';
import {PrerequisiteFailed, UsageError} from '../../source/core/errors.js';
import {
	type AppKeys,
	appKeysFrom,
	ColumnUnreadable,
	decrypt,
	DecryptError,
	encrypt,
	isEnvelope,
	ivLengthOf,
	parseCipher,
	phpJsonEncode,
	readJsonColumn,
	writeJsonColumn,
} from '../../source/core/laravel-crypt.js';

// Fixed test keys. 32 bytes 0x00..0x1f; 32 bytes 0xa0..0xbf; the raw 16-character text key for AES-128.
const keyBytes = Buffer.from(Array.from({length: 32}, (_, index) => index));
const otherKeyBytes = Buffer.from(Array.from({length: 32}, (_, index) => 0xa0 + index));
const appKey = `base64:${keyBytes.toString('base64')}`;
const otherAppKey = `base64:${otherKeyBytes.toString('base64')}`;
const keys = appKeysFrom({APP_KEY: appKey}, 'AES-256-CBC', 'APP_KEY in /srv/app/.env');
const plaintext = '{"classroom_links":{"7":{"default_role":"teacher"}},"note":"a/b"}';

/** A payload written from the documented format alone: openssl_encrypt output, base64 iv, hex HMAC over the texts. */
function handMadePayload(key: Buffer, iv: Buffer, text: string, mac?: string): string {
	const cipher = createCipheriv('aes-256-cbc', key, iv);
	const value = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]).toString('base64');
	const ivText = iv.toString('base64');
	const macText = mac ?? createHmac('sha256', key).update(ivText + value).digest('hex');
	const json = `{"iv":"${ivText}","value":"${value}","mac":"${macText}","tag":""}`;
	return Buffer.from(json).toString('base64');
}

const fixedIv = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');

test('a payload built by hand from the documented format decrypts to its plaintext', t => {
	t.is(decrypt(handMadePayload(keyBytes, fixedIv, plaintext), keys), plaintext);
});

test('a payload written by Laravel itself (PHP/OpenSSL) decrypts only with the key whose MAC matches', t => {
	// Known-answer vector from laravel/framework tests/Encryption/EncrypterTest.php (testItValidatesMacOnPerKeyBasis):
	// Crypt::encryptString('foo') with AES-128-CBC and the key 'bbbbbbbbbbbbbbbb'. With 'aaaaaaaaaaaaaaaa' it would
	// "decrypt" to random bytes with valid padding, which is why the MAC is checked per key before decrypting.
	const laravelPayload = 'eyJpdiI6Ilg0dFM5TVRibEFqZW54c3lQdWJoVVE9PSIsInZhbHVlIjoiRGJpa2p2ZHI3eUs0dUtRakJneUhUUT09IiwibWFjIjoiMjBjZWYxODdhNThhOTk4MTk1NTc0YTE1MDgzODU1OWE0ZmQ4MDc5ZjMxYThkOGM1ZmM1MzlmYzBkYTBjMWI1ZiIsInRhZyI6IiJ9';
	const rotated = appKeysFrom({APP_KEY: 'a'.repeat(16), APP_PREVIOUS_KEYS: 'b'.repeat(16)}, 'AES-128-CBC', 'test');
	t.is(decrypt(laravelPayload, rotated), 'foo');
	const wrongOnly = appKeysFrom({APP_KEY: 'a'.repeat(16)}, 'AES-128-CBC', 'test');
	t.is(t.throws(() => decrypt(laravelPayload, wrongOnly), {instanceOf: DecryptError})?.reason, 'bad-mac');
});

test('the payload encrypt writes is base64 JSON {iv, value, mac, tag} whose MAC is the hex HMAC of the base64 texts', t => {
	const payload = encrypt(plaintext, keys);
	const parts = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as Record<string, string>;
	t.deepEqual(Object.keys(parts), ['iv', 'value', 'mac', 'tag']);
	t.is(Buffer.from(parts.iv!, 'base64').length, 16);
	t.is(parts.tag, '');
	t.is(parts.mac, createHmac('sha256', keyBytes).update(parts.iv! + parts.value!).digest('hex'));
	t.not(encrypt(plaintext, keys), payload, 'a fresh random IV each time');
});

test('round trips: AES-256-CBC, AES-128-CBC (raw text key), AES-256-GCM, AES-128-GCM', t => {
	const cases: AppKeys[] = [
		keys,
		appKeysFrom({APP_KEY: 'sixteen-byte-key'}, 'AES-128-CBC', 'test'),
		appKeysFrom({APP_KEY: appKey}, 'AES-256-GCM', 'test'),
		appKeysFrom({APP_KEY: `base64:${keyBytes.subarray(0, 16).toString('base64')}`}, 'AES-128-GCM', 'test'),
	];
	for (const caseKeys of cases) {
		const text = `ünïcødé 😀 ${caseKeys.cipher}`;
		t.is(decrypt(encrypt(text, caseKeys), caseKeys), text, caseKeys.cipher);
	}

	const gcm = JSON.parse(Buffer.from(encrypt('x', cases[2]!), 'base64').toString()) as Record<string, string>;
	t.is(gcm.mac, '');
	t.is(Buffer.from(gcm.iv!, 'base64').length, 12);
	t.is(Buffer.from(gcm.tag!, 'base64').length, 16);
});

test('a tampered MAC, a wrong key, a broken GCM tag and a non-payload are rejected with their reasons', t => {
	const good = handMadePayload(keyBytes, fixedIv, plaintext);
	const tampered = handMadePayload(keyBytes, fixedIv, plaintext, '0'.repeat(64));
	t.is(t.throws(() => decrypt(tampered, keys), {instanceOf: DecryptError})?.reason, 'bad-mac');
	const wrongKeys = appKeysFrom({APP_KEY: otherAppKey}, 'AES-256-CBC', 'test');
	t.is(t.throws(() => decrypt(good, wrongKeys), {instanceOf: DecryptError})?.reason, 'bad-mac');
	t.is(t.throws(() => decrypt('not a payload', keys), {instanceOf: DecryptError})?.reason, 'bad-payload');
	const shortIv = Buffer.from(JSON.stringify({iv: 'AAAA', value: 'AAAA', mac: 'x'})).toString('base64');
	t.is(t.throws(() => decrypt(shortIv, keys), {instanceOf: DecryptError})?.reason, 'bad-payload');
	const goodParts = JSON.parse(Buffer.from(good, 'base64').toString()) as Record<string, string>;
	const strayIv = Buffer.from(JSON.stringify({...goodParts, iv: `*${goodParts.iv!}`})).toString('base64');
	t.is(t.throws(() => decrypt(strayIv, keys), {instanceOf: DecryptError})?.reason, 'bad-payload', 'the IV is decoded strictly, as Laravel does');
	t.is(t.throws(() => decrypt(good, {...keys, current: null}), {instanceOf: DecryptError})?.reason, 'no-key');

	const gcmKeys = appKeysFrom({APP_KEY: appKey}, 'AES-256-GCM', 'test');
	const gcm = JSON.parse(Buffer.from(encrypt('x', gcmKeys), 'base64').toString()) as Record<string, string>;
	const badTag = Buffer.from(JSON.stringify({...gcm, tag: Buffer.alloc(16).toString('base64')})).toString('base64');
	t.is(t.throws(() => decrypt(badTag, gcmKeys), {instanceOf: DecryptError})?.reason, 'bad-decrypt');
});

test('a valid MAC over a ciphertext with broken padding is a bad-decrypt, not a bad MAC', t => {
	const cipher = createCipheriv('aes-256-cbc', keyBytes, fixedIv).setAutoPadding(false);
	const value = Buffer.concat([cipher.update(Buffer.alloc(16, 0)), cipher.final()]).toString('base64');
	const iv = fixedIv.toString('base64');
	const mac = createHmac('sha256', keyBytes).update(iv + value).digest('hex');
	const payload = Buffer.from(JSON.stringify({iv, value, mac, tag: ''})).toString('base64');
	t.is(t.throws(() => decrypt(payload, keys), {instanceOf: DecryptError})?.reason, 'bad-decrypt');
});

test('a key of APP_PREVIOUS_KEYS decrypts what it encrypted; encryption always uses APP_KEY', t => {
	const rotated = appKeysFrom({APP_KEY: otherAppKey, APP_PREVIOUS_KEYS: `base64:${Buffer.alloc(32, 7).toString('base64')},${appKey}`}, 'AES-256-CBC', 'test');
	t.is(rotated.previous.length, 2);
	t.is(decrypt(handMadePayload(keyBytes, fixedIv, plaintext), rotated), plaintext);
	const written = encrypt('new', rotated);
	t.is(t.throws(() => decrypt(written, keys), {instanceOf: DecryptError})?.reason, 'bad-mac');
});

test('appKeysFrom: missing key is null, a key of the wrong length names the variable and the length', t => {
	t.is(appKeysFrom({}, 'AES-256-CBC', 'x').current, null);
	t.is(appKeysFrom({APP_KEY: ''}, 'AES-256-CBC', 'x').current, null);
	t.deepEqual(appKeysFrom({APP_KEY: appKey}, 'AES-256-CBC', 'x').current, keyBytes);
	t.deepEqual(appKeysFrom({APP_KEY: 'sixteen-byte-key'}, 'AES-128-CBC', 'x').current, Buffer.from('sixteen-byte-key'));
	const error = t.throws(() => appKeysFrom({APP_KEY: 'sixteen-byte-key'}, 'AES-256-CBC', 'APP_KEY in /srv/app/.env'), {instanceOf: PrerequisiteFailed});
	t.is(error!.message, 'APP_KEY is 16 bytes long; AES-256-CBC needs a 32-byte key (APP_KEY in /srv/app/.env).');
	const previous = t.throws(() => appKeysFrom({APP_KEY: appKey, APP_PREVIOUS_KEYS: `${appKey},base64:AAAA`}, 'AES-256-CBC', 'env'), {instanceOf: PrerequisiteFailed});
	t.is(previous!.message, 'APP_PREVIOUS_KEYS entry 2 is 3 bytes long; AES-256-CBC needs a 32-byte key (env).');
});

test('parseCipher is case-insensitive and names --app-cipher otherwise', t => {
	t.is(parseCipher('aes-256-cbc'), 'AES-256-CBC');
	t.is(parseCipher('AES-128-gcm'), 'AES-128-GCM');
	const error = t.throws(() => parseCipher('des'), {instanceOf: UsageError});
	t.true(error!.message.includes('--app-cipher'));
});

test('readJsonColumn: NULL, empty text, [], {}, a plain object, an envelope and a bare payload', t => {
	const payload = handMadePayload(keyBytes, fixedIv, plaintext);
	const expected = {classroom_links: {7: {default_role: 'teacher'}}, note: 'a/b'};
	t.deepEqual(readJsonColumn(null, keys), {form: 'null', value: {}});
	t.deepEqual(readJsonColumn('', null), {form: 'null', value: {}});
	t.deepEqual(readJsonColumn('[]', null), {form: 'plain', value: {}});
	t.deepEqual(readJsonColumn('{}', null), {form: 'plain', value: {}});
	t.deepEqual(readJsonColumn('{"a":[1,2],"b":"c"}', null), {form: 'plain', value: {a: [1, 2], b: 'c'}});
	t.deepEqual(readJsonColumn(`{"v":1,"ciphertext":"${payload.replaceAll('/', String.raw`\/`)}"}`, keys), {form: 'envelope', value: expected});
	t.deepEqual(readJsonColumn(`"${payload}"`, keys), {form: 'bare-payload', value: expected});
	const emptyList = handMadePayload(keyBytes, fixedIv, '[]');
	t.deepEqual(readJsonColumn(`{"v":1,"ciphertext":"${emptyList}"}`, keys), {form: 'envelope', value: {}});
});

test('readJsonColumn: unreadable values throw ColumnUnreadable with a reason', t => {
	const envelope = `{"v":1,"ciphertext":"${handMadePayload(keyBytes, fixedIv, plaintext)}"}`;
	const reasons = (stored: string, columnKeys: AppKeys | null) => t.throws(() => readJsonColumn(stored, columnKeys), {instanceOf: ColumnUnreadable})!.reason;
	t.is(reasons('{oops', keys), 'not JSON');
	t.is(reasons('42', keys), 'JSON that is a number, not an object');
	t.is(reasons('[1]', keys), 'JSON that is a non-empty list, not an object');
	t.is(reasons('"hello"', keys), 'a JSON string that is not an encrypted payload');
	t.regex(reasons(envelope, null), /^encrypted, and no APP_KEY is configured/);
	t.regex(reasons(envelope, {...keys, current: null}), /^encrypted, and no APP_KEY is configured \(looked for APP_KEY in \/srv\/app\/\.env\)/);
	t.regex(reasons(envelope, appKeysFrom({APP_KEY: otherAppKey}, 'AES-256-CBC', 'env')), /^cannot decrypt \(bad-mac\)/);
	t.is(reasons(`{"v":1,"ciphertext":"${handMadePayload(keyBytes, fixedIv, 'not json')}"}`, keys), 'decrypted, but the plaintext is not JSON');
	t.is(reasons(`{"v":1,"ciphertext":"${handMadePayload(keyBytes, fixedIv, '"text"')}"}`, keys), 'decrypted JSON that is a string, not an object');
});

test('writeJsonColumn: an envelope as PHP json_encode writes it, that decrypts back; plain is PHP JSON', t => {
	const value = {classroom_links: [{course_id: 7, default_role: 'teacher'}], url: 'https://x.test/a', name: 'Zoë'};
	const stored = writeJsonColumn(value, 'envelope', keys);
	const parsed = JSON.parse(stored) as {v: number; ciphertext: string};
	t.deepEqual(Object.keys(parsed), ['v', 'ciphertext']);
	t.is(parsed.v, 1);
	// The envelope text is exactly PHP's: any `/` of the payload would be written `\/`. (A Laravel payload is base64 of
	// ASCII JSON, which can never produce `/` or `+`, so the escaping is checked on the plaintext and on phpJsonEncode.)
	t.is(stored, `{"v":1,"ciphertext":"${parsed.ciphertext.replaceAll('/', String.raw`\/`)}"}`);
	t.false(/[^\\]\//.test(stored), 'no unescaped /');
	t.is(decrypt(parsed.ciphertext, keys), String.raw`{"classroom_links":[{"course_id":7,"default_role":"teacher"}],"url":"https:\/\/x.test\/a","name":"Zo\u00eb"}`);
	t.deepEqual(readJsonColumn(stored, keys), {form: 'envelope', value});
	t.true(isEnvelope(stored));
	t.is(phpJsonEncode({v: 1, ciphertext: 'ab/c+d='}), String.raw`{"v":1,"ciphertext":"ab\/c+d="}`);
	t.is(writeJsonColumn({a: 'b/c'}, 'plain', null), String.raw`{"a":"b\/c"}`);
	t.is(writeJsonColumn({}, 'plain', null), '{}');
	t.throws(() => writeJsonColumn({}, 'envelope', null), {instanceOf: PrerequisiteFailed});
	t.throws(() => writeJsonColumn({}, 'envelope', {...keys, current: null}), {instanceOf: PrerequisiteFailed});
});

test('encrypt with a fixed IV (the demo only): exactly the payload built by hand; without one, a fresh IV each time', t => {
	t.is(encrypt(plaintext, keys, {iv: fixedIv}), handMadePayload(keyBytes, fixedIv, plaintext));
	t.is(encrypt(plaintext, keys, {iv: fixedIv}), encrypt(plaintext, keys, {iv: fixedIv}));
	t.not(encrypt(plaintext, keys), encrypt(plaintext, keys));
	t.is(ivLengthOf('AES-256-CBC'), 16);
	t.is(ivLengthOf('AES-128-GCM'), 12);
	t.throws(() => encrypt(plaintext, keys, {iv: fixedIv.subarray(0, 12)}), {instanceOf: TypeError, message: /12 bytes; AES-256-CBC needs 16/});
	const envelope = writeJsonColumn({note: 'a/b'}, 'envelope', keys, {iv: fixedIv});
	t.is(envelope, `{"v":1,"ciphertext":"${handMadePayload(keyBytes, fixedIv, String.raw`{"note":"a\/b"}`)}"}`);
	t.is(writeJsonColumn({note: 'a/b'}, 'plain', keys, {iv: fixedIv}), String.raw`{"note":"a\/b"}`);
});

test('a Laravel payload never contains / or +: base64 of ASCII JSON cannot produce them', t => {
	for (let attempt = 0; attempt < 200; attempt++) {
		t.false(/[/+]/.test(encrypt(`attempt ${attempt}`, keys)));
	}
});

test('isEnvelope recognises only {"v":1,"ciphertext":"…"}', t => {
	t.true(isEnvelope('{"v":1,"ciphertext":"abc"}'));
	t.false(isEnvelope(null));
	t.false(isEnvelope('{"v":2,"ciphertext":"abc"}'));
	t.false(isEnvelope('{"ciphertext":"abc"}'));
	t.false(isEnvelope('{"a":"\\"ciphertext\\""}'));
	t.false(isEnvelope('"eyJpdiI6"'));
});

test('phpJsonEncode escapes / and non-ASCII (lowercase hex, surrogate pairs) as PHP does', t => {
	t.is(phpJsonEncode('a/b é 😀'), String.raw`"a\/b \u00e9 \ud83d\ude00"`);
	t.is(phpJsonEncode({k: ['x"y\\z', 1, true, null, '\n']}), String.raw`{"k":["x\"y\\z",1,true,null,"\n"]}`);
	t.is(phpJsonEncode('€ ✓'), String.raw`"\u20ac \u2713"`);
});

test('error messages never contain the key (base64 or raw) or the plaintext', t => {
	const rawKey = 'sixteen-byte-key';
	const secretText = 'TOP-SECRET-PLAINTEXT';
	const messages: string[] = [];
	const collect = (work: () => unknown) => {
		try {
			work();
			messages.push('no error');
		} catch (error) {
			messages.push(`${(error as Error).message} ${String((error as {hint?: string}).hint)} ${String((error as {reason?: string}).reason)}`);
		}
	};

	const rawKeys = appKeysFrom({APP_KEY: rawKey}, 'AES-128-CBC', 'APP_KEY in env');
	collect(() => appKeysFrom({APP_KEY: rawKey}, 'AES-256-CBC', 'APP_KEY in env'));
	collect(() => appKeysFrom({APP_KEY: appKey}, 'AES-128-CBC', 'APP_KEY in env'));
	collect(() => appKeysFrom({APP_KEY: appKey, APP_PREVIOUS_KEYS: rawKey}, 'AES-256-CBC', 'env'));
	collect(() => decrypt(encrypt(secretText, keys), appKeysFrom({APP_KEY: otherAppKey}, 'AES-256-CBC', 'env')));
	collect(() => decrypt(encrypt(secretText, rawKeys), {...rawKeys, current: Buffer.from('another-16-bytes')}));
	collect(() => readJsonColumn(`{"v":1,"ciphertext":"${encrypt(secretText, keys)}"}`, keys));
	collect(() => readJsonColumn(`{"v":1,"ciphertext":"${encrypt(secretText, keys)}"}`, appKeysFrom({APP_KEY: otherAppKey}, 'AES-256-CBC', 'env')));
	t.is(messages.length, 7);
	for (const message of messages) {
		t.not(message, 'no error');
		for (const secret of [rawKey, appKey, keyBytes.toString('base64'), keyBytes.toString('hex'), otherAppKey, secretText]) {
			t.false(message.includes(secret), message);
		}
	}
});
