import type {AppKeys} from './laravel-encrypter.js';

// What the platform's own configuration says, resolved once per command (DESIGN.md §2): its time zone, its
// encryption keys and how its encrypted JSON columns are written. Jobs read the platform's data through these.

export type EncryptedAttributesMode = 'auto' | 'always' | 'never';

export type PlatformSettings = {
	/** config('app.timezone'): every timestamp the tool writes or compares is wall-clock time in this zone. */
	readonly timeZone: {readonly zone: string; readonly source: string};
	/** The keys of `Crypt` (APP_KEY, APP_PREVIOUS_KEYS); `current` null when no APP_KEY was found. */
	readonly keys: AppKeys;
	readonly encryptedAttributes: EncryptedAttributesMode;
};

/** UTC, no key, columns written as they are: the settings of a platform that configures nothing. */
export function defaultPlatformSettings(keys: AppKeys): PlatformSettings {
	return {timeZone: {zone: 'UTC', source: 'default'}, keys, encryptedAttributes: 'auto'};
}
