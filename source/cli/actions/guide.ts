import {existsSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {UsageError} from '../../core/errors.js';
import type {RunEvent} from '../../engine/runner-events.js';
import {runGuidedSession} from '../../ui/run-ui.js';
import type {CommandContext, CommandResult} from '../command.js';
import type {GuideOptions} from '../commands/guide.js';
import {resolvePlatformSettings} from '../platform-settings.js';
import stage11 from '../../../runbook/stage11.js';

/**
 * `npm start` on a fresh clone: the demo database is created once, with a realistic dataset, its encrypted columns
 * under the app root's APP_KEY (written to its .env when it has none, as `demo` does).
 */
async function ensureDemoDatabase(context: CommandContext): Promise<void> {
	if (context.profile !== 'demo' || context.global.databaseUrl || context.terminal.env.DATABASE_URL) {
		return;
	}

	const file = join(context.terminal.cwd, 'storage', 'demo.sqlite');
	if (existsSync(file)) {
		return;
	}

	context.terminal.stderr.write('Creating the demo database (storage/demo.sqlite) with a realistic dataset; this happens once…\n');
	const [{generateDemo}, {describeAppKey}, {ensureDemoAppKey}] = await Promise.all([import('../../db/demo/generate-demo.js'), import('./demo.js'), import('./demo-app-key.js')]);
	const database = await context.connect({createSqliteFile: true});
	try {
		const seed = 42;
		const appKey = await ensureDemoAppKey(context, seed);
		const summary = await generateDemo(database.sql, {size: 'small', seed, attributes: {form: 'envelope', keys: appKey.keys}});
		context.terminal.stderr.write(`Demo data ready in ${Math.round(summary.durationMs)} ms (${summary.rows.enrollments ?? 0} enrollments). ${describeAppKey(appKey)}\n`);
	} finally {
		await database.close();
	}
}

export async function runGuide(context: CommandContext, options: GuideOptions): Promise<CommandResult> {
	if (!context.terminal.interactive) {
		throw new UsageError('The guided session needs an interactive terminal (stdin and stdout TTYs, CI unset).', {
			hint: 'Use `community-runbook run --yes --backup-ack` to run the steps non-interactively.',
		});
	}

	await ensureDemoDatabase(context);
	// The first frame comes before the database driver, the ORM and the engine load (~0.5 s): the operator sees the
	// runbook at once. The connection follows inside the session; its notes are drawn in the TUI, and a database that
	// cannot be reached ends the session with the same one line and exit code as any command (after the frame).
	context.announceTarget();
	const platform = await resolvePlatformSettings(context.global, context.appRoot, context.terminal.env);
	let evidenceDir: string | undefined;
	const abort = new AbortController();
	context.signal.addEventListener('abort', () => abort.abort(), {once: true});
	const result = await runGuidedSession({
		start: async (operator, onEvent) => {
			const note = (message: string) => onEvent({type: 'warning', step: null, message} satisfies RunEvent);
			const {runStage11} = await import('../runbook-session.js');
			const session: CommandContext = {...context, signal: abort.signal, warn: note, connect: async options => context.connect({...options, onNote: note})};
			return runStage11(session, operator, event => {
				if (event.type === 'run-started') {
					evidenceDir = event.evidenceDir;
				}

				onEvent(event);
			}, {unfinished: context.global.restart && !options.resume ? 'restart' : 'resume'});
		},
		async readEvidence(stepId) {
			if (!evidenceDir) {
				return 'No evidence yet.';
			}

			const {readdir} = await import('node:fs/promises');
			const files = await readdir(join(evidenceDir, 'steps')).catch(() => [] as string[]);
			const file = files.find(name => name.endsWith(`-${stepId}.json`));
			return file ? readFile(join(evidenceDir, 'steps', file), 'utf8') : `No evidence for ${stepId} yet (folder ${evidenceDir}).`;
		},
		onAbort: () => abort.abort(),
		onForceQuit: () => context.forceExit(130),
		title: stage11.title,
		database: context.databaseLabel,
		timeZone: `${platform.timeZone.zone} (${platform.timeZone.source})`,
		stdout: context.terminal.stdout as NodeJS.WriteStream,
		stdin: context.terminal.stdin as NodeJS.ReadStream,
		color: !context.terminal.env.NO_COLOR,
	});
	const {runResultToCommand} = await import('./run.js');
	return runResultToCommand(result);
}
