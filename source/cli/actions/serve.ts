import {profileActivityPath, startApiServer} from '../../api/create-api-server.js';
import {existingTables} from '../../db/platform-schema.js';
import {PrerequisiteFailed, UsageError} from '../../core/errors.js';
import {redactSecrets} from '../../core/redact.js';
import type {CommandContext, CommandResult} from '../command.js';
import type {ServeOptions} from '../commands/serve.js';

// `serve [--port=8080]` (DESIGN.md §10): the reference profile-activity API until Ctrl-C / SIGTERM.
export async function runServe(context: CommandContext, options: ServeOptions): Promise<CommandResult> {
	const port = options.port ?? 8080;
	// Serving only reads platform tables: no runbook migrations, nothing written.
	const database = await context.connect({migrate: false});
	try {
		const tables = await existingTables(database.sql);
		const missing = ['users', 'communities', 'profile_activities', 'personal_access_tokens'].filter(table => !tables.has(table));
		if (missing.length > 0) {
			throw new PrerequisiteFailed(`The platform tables ${missing.join(', ')} are missing from this database.`, {
				hint: 'Point --database-url at the platform database, or create a demo one with `community-runbook demo`.',
			});
		}

		const server = await startApiServer({
			database,
			appRoot: context.appRoot,
			env: context.terminal.env,
			port,
			host: '127.0.0.1',
			onError(error) {
				context.warn(`a request failed: ${error instanceof Error ? error.message : String(error)}`);
			},
		}).catch((error: unknown) => {
			throw listenError(error, port);
		});
		context.terminal.stderr.write(`Serving the profile-activity API at ${server.url}${profileActivityPath} (Ctrl-C to stop)\n`);
		await aborted(context.signal);
		await server.close();
		// Ctrl-C (or SIGTERM) is how a server is meant to stop: a normal end, exit 0.
		return {status: 'succeeded', params: {port}, lines: [`Stopped serving ${server.url}${profileActivityPath}.`]};
	} finally {
		await database.close();
	}
}

function listenError(error: unknown, port: number): Error {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'EADDRINUSE') {
		return new UsageError(`port ${port} is in use, pick another with --port`);
	}

	if (code === 'EACCES') {
		return new UsageError(`port ${port} needs privileges this user does not have, pick another with --port`);
	}

	return new UsageError(`Cannot listen on 127.0.0.1:${port} (${redactSecrets(String(code ?? (error as Error).message))}).`, {hint: 'Pick another port with --port.'});
}

async function aborted(signal: AbortSignal): Promise<void> {
	if (signal.aborted) {
		return;
	}

	await new Promise<void>(resolve => {
		signal.addEventListener('abort', () => {
			resolve();
		}, {once: true});
	});
}
