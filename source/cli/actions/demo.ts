import {describeTarget} from '../../db/database-url.js';
import {mkdir} from 'node:fs/promises';
import {dirname, join} from 'node:path';
import {generateDemo} from '../../db/demo/generate-demo.js';
import {writePrivateFile} from '../../evidence/private-files.js';
import {UsageError} from '../../core/errors.js';
import type {CommandContext, CommandResult} from '../command.js';
import type {DemoOptions} from '../commands/demo.js';
import {type DemoAppKey, ensureDemoAppKey} from './demo-app-key.js';

// `demo [--size=tiny|small|1m] [--seed=N] [--legacy-plain]` (DESIGN.md §10): drops and recreates the platform tables
// and fills them with a deterministic dataset holding every case the jobs must handle. Demo and testing profiles only.
// The encrypted JSON columns are written as the platform writes them today, under the app root's APP_KEY (written
// to its .env when it has none: demo-app-key.ts); --legacy-plain writes them as plain JSON, with no key at all.

export async function runDemo(context: CommandContext, options: DemoOptions): Promise<CommandResult> {
	if (context.profile === 'production') {
		throw new UsageError('demo drops and recreates the platform tables, so it refuses the production profile.', {
			hint: 'Point it at a scratch database with --profile=demo or --profile=testing (a sqlite: URL is testing by default).',
		});
	}

	const database = await context.connect({createSqliteFile: true});
	const where = describeTarget(database.target);
	try {
		context.terminal.stderr.write(`note: generating the ${options.size} demo dataset (seed ${options.seed}) in ${where}…\n`);
		const appKey = options.legacyPlain ? undefined : await ensureDemoAppKey(context, options.seed);
		const summary = await generateDemo(database.sql, {size: options.size, seed: options.seed, attributes: appKey ? {form: 'envelope', keys: appKey.keys} : {form: 'plain'}});
		// The tool finds the demo's APP_KEY in the app root: name it when it is not the working directory's default.
		const appRootFlag = context.global.appRoot === undefined || options.legacyPlain ? '' : ` --app-root=${context.appRoot}`;
		const urlFlag = `${context.global.databaseUrl === undefined ? '' : ` --database-url=${where}`}${appRootFlag}`;
		// A token on stdout ends up in terminal scrollback and CI logs: it goes to a private file (DESIGN.md §10).
		const tokenFile = join(context.appRoot, 'storage', 'app', 'demo-api-token');
		await mkdir(dirname(tokenFile), {recursive: true});
		await writePrivateFile(tokenFile, `${summary.token}\n`);
		return {
			status: 'succeeded',
			params: {size: options.size, seed: options.seed},
			metrics: summary.rows,
			extra: {api_token_file: tokenFile, database: where, encrypted_attributes: summary.encryptedAttributes, app_key_file: appKey?.envFile ?? null},
			lines: [
				`Demo dataset "${options.size}" (seed ${options.seed}) written to ${where} in ${(summary.durationMs / 1000).toFixed(1)} s.`,
				`API token of the internal user ops@example.test (id ${summary.internalUserId}) written to ${tokenFile} (mode 0600).`,
				describeAppKey(appKey),
				`Next: \`npm start${urlFlag === '' ? '' : ` --${urlFlag}`}\` for the guided session, or \`community-runbook run --yes --backup-ack${urlFlag}\` to run the steps non-interactively.`,
			],
		};
	} finally {
		await database.close();
	}
}

/** Where the key of the encrypted columns is: a path, never the key. */
export function describeAppKey(appKey: DemoAppKey | undefined): string {
	if (!appKey) {
		return 'The encrypted JSON columns hold plain JSON (--legacy-plain), as the platform stored them before it encrypted them: no APP_KEY needed.';
	}

	const what = 'The encrypted JSON columns hold envelopes, as the platform writes them today';
	switch (appKey.origin) {
		case 'written': {
			return `${what}, under a new demo APP_KEY written to ${appKey.envFile} (mode 0600).`;
		}

		case 'env-file': {
			return `${what}, under the APP_KEY of ${appKey.envFile}.`;
		}

		default: {
			return `${what}, under the APP_KEY set in the environment.`;
		}
	}
}
