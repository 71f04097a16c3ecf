import {readAppEnvironment, readConfiguredTimeZone} from '../core/app-environment.js';
import {resolveAppTimeZone} from '../core/app-time-zone.js';
import {appKeysFrom, parseCipher} from '../core/laravel-encrypter.js';
import type {PlatformSettings} from '../core/platform-settings.js';
import {registerSecret} from '../core/redact.js';
import type {GlobalOptions} from './global-options.js';

/**
 * The platform's settings as its own code would see them (DESIGN.md §2): --app-timezone, else APP_TIMEZONE (the
 * environment, then <app root>/.env), else config/app.php, else UTC; APP_KEY and APP_PREVIOUS_KEYS from the
 * environment or .env with --app-cipher. Keys are registered as secrets so no message or evidence can carry them.
 */
export async function resolvePlatformSettings(global: GlobalOptions, appRoot: string, env: NodeJS.ProcessEnv): Promise<PlatformSettings> {
	const appEnvironment = await readAppEnvironment(appRoot, env);
	const timeZone = resolveAppTimeZone({flag: global.appTimezone, appEnvironment, configTimeZone: await readConfiguredTimeZone(appRoot, appEnvironment)});
	const cipher = parseCipher(global.appCipher ?? appEnvironment.get('APP_CIPHER') ?? 'AES-256-CBC');
	const key = appEnvironment.get('APP_KEY');
	const previous = appEnvironment.get('APP_PREVIOUS_KEYS');
	for (const secret of [key, ...(previous ?? '').split(',')].map(text => text?.trim() ?? '')) {
		registerSecret(secret === '' ? undefined : secret);
		registerSecret(secret.startsWith('base64:') ? secret.slice('base64:'.length) : undefined);
	}

	const where = appEnvironment.sourceOf('APP_KEY') ?? `the environment or ${appRoot}/.env`;
	const keys = appKeysFrom({APP_KEY: key === '' ? undefined : key, APP_PREVIOUS_KEYS: previous}, cipher, `APP_KEY in ${where}`);
	return {timeZone, keys, encryptedAttributes: global.encryptedAttributes};
}
