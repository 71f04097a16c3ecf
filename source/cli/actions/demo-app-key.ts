import {existsSync} from 'node:fs';
import {appendFile, chmod, open, readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {PrerequisiteFailed} from '../../core/errors.js';
import {appKeysFrom, type AppKeys} from '../../core/laravel-encrypter.js';
import {registerSecret} from '../../core/redact.js';
import {demoAppKey} from '../../db/demo/generate-demo.js';
import type {CommandContext} from '../command.js';
import {resolvePlatformSettings} from '../platform-settings.js';

// The demo's APP_KEY (DESIGN.md §2 "Encrypted attributes"): the platform's own key when the app root's .env or the
// environment has one, else a key derived from the seed (the same on every database), written to <app root>/.env so
// that the tool (and a real Laravel app on that root) decrypts the demo's columns. Never printed: a registered secret.

export type DemoAppKey = {
	readonly keys: AppKeys;
	/** The .env file that holds the key; undefined when it comes from the process environment. */
	readonly envFile: string | undefined;
	/** `written`: the demo wrote it just now; `env-file`: the .env had it; `environment`: APP_KEY is set in the environment. */
	readonly origin: 'written' | 'env-file' | 'environment';
};

export async function ensureDemoAppKey(context: CommandContext, seed: number): Promise<DemoAppKey> {
	const {env} = context.terminal;
	const settings = await resolvePlatformSettings(context.global, context.appRoot, env);
	// Laravel reads .env.<APP_ENV> instead of .env when APP_ENV is set and that file exists (app-environment.ts).
	const specific = env.APP_ENV ? join(context.appRoot, `.env.${env.APP_ENV}`) : undefined;
	const envFile = specific && existsSync(specific) ? specific : join(context.appRoot, '.env');
	if (settings.keys.current) {
		const fromEnvironment = env.APP_KEY !== undefined;
		return {keys: settings.keys, envFile: fromEnvironment ? undefined : envFile, origin: fromEnvironment ? 'environment' : 'env-file'};
	}

	if (env.APP_KEY === '') {
		throw new PrerequisiteFailed('APP_KEY is set to an empty value in the environment, which hides any key of the app root\'s .env.', {
			hint: `Unset APP_KEY (the demo then reads or writes it in ${envFile}), or set it to the key the demo should use.`,
		});
	}

	const key = demoAppKey(seed, settings.keys.cipher);
	registerSecret(key);
	registerSecret(key.slice('base64:'.length));
	await writeAppKey(envFile, key);
	return {keys: appKeysFrom({APP_KEY: key}, settings.keys.cipher, `APP_KEY in ${envFile}`), envFile, origin: 'written'};
}

/**
 * Sets `APP_KEY=<key>` in a .env that has no key: a new file is created 0600; an existing one keeps its other lines
 * and its mode. An `APP_KEY=` line already there has an empty value (else the key would have been found): it is
 * filled in, as Laravel's `key:generate` does (appending instead would leave the empty first one winning).
 */
async function writeAppKey(file: string, key: string): Promise<void> {
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
			throw error;
		}

		const handle = await open(file, 'wx', 0o600);
		try {
			await handle.writeFile(`APP_KEY=${key}\n`, 'utf8');
		} finally {
			await handle.close();
		}

		await chmod(file, 0o600);
		return;
	}

	const keyLine = /^[ \t]*(?:export[ \t]+)?APP_KEY[ \t]*=[^\r\n]*/m;
	if (keyLine.test(text)) {
		await writeFile(file, text.replace(keyLine, () => `APP_KEY=${key}`), 'utf8');
		return;
	}

	await appendFile(file, `${text === '' || text.endsWith('\n') ? '' : '\n'}APP_KEY=${key}\n`, 'utf8');
}
