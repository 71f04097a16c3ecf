import {appKeysFrom} from '../../source/core/laravel-encrypter.js';
import type {PlatformSettings} from '../../source/core/platform-settings.js';

/** A test key (32 bytes, base64): what a platform's APP_KEY looks like. */
export const testAppKey = `base64:${Buffer.alloc(32, 7).toString('base64')}`;

/** The platform settings of a test: UTC and no key unless given. */
export function testPlatform(overrides: {readonly zone?: string; readonly appKey?: string; readonly previousKeys?: string; readonly encryptedAttributes?: PlatformSettings['encryptedAttributes']} = {}): PlatformSettings {
	return {
		timeZone: {zone: overrides.zone ?? 'UTC', source: overrides.zone ? 'test' : 'default'},
		keys: appKeysFrom({APP_KEY: overrides.appKey, APP_PREVIOUS_KEYS: overrides.previousKeys}, 'AES-256-CBC', 'APP_KEY in the test'),
		encryptedAttributes: overrides.encryptedAttributes ?? 'auto',
	};
}
