import {resolve} from 'node:path';
import {Command, CommanderError, Option} from 'commander';
import {RunbookError, UsageError} from '../core/errors.js';
import {redactSecrets} from '../core/redact.js';
import {asDatabaseUnreachable} from '../db/connection-errors.js';
import {describeTarget, redactUrl} from '../db/database-url.js';
import type {CommandContext, CommandEntry, CommandResult, Hooks, Terminal} from './command.js';
import {commands} from './commands/index.js';
import {exitCodeOf} from './exit-codes.js';
import {type GlobalOptions, globalOptionFlags, globalOptionsSchema} from './global-options.js';
import {resolveTarget} from './profile.js';
import {renderPlain, renderTable, type ResultDocument} from './render-result.js';
import {usageErrorFrom} from './zod-error.js';

// Only cheap modules are imported here: a command's code (the ORM, the drivers, Ink) loads when that command runs,
// so `--help` and `--version` answer at once.

const helpWidth = 100;
const globalKeys = new Set(Object.keys(globalOptionsSchema.shape));

export type Invocation = {
	readonly argv: readonly string[];
	readonly terminal: Terminal;
	readonly signal: AbortSignal;
	readonly version: string;
	/** Leaves at once (a second Ctrl-C); the open transaction rolls back with the connection. */
	readonly forceExit: (code: number) => void;
	/** Test hooks; the production entry passes none. */
	readonly hooks?: Hooks;
};

/** argv → command → result → output; returns the exit code. The only place errors become exit codes. */
export async function runCli({argv, terminal, signal, version, forceExit, hooks = {}}: Invocation): Promise<number> {
	const startedAt = Date.now();
	const known = new Set(commands.map(entry => entry.name));
	const first = argv.find(argument => !argument.startsWith('-'));
	let commandName = first !== undefined && known.has(first) ? first : 'guide';
	if (first !== undefined && !known.has(first) && argv[0] === first) {
		terminal.stderr.write(`error: unknown command "${first}". Run \`community-runbook --help\` for the commands.\n`);
		return 2;
	}

	let outputFormat: GlobalOptions['output'] = argv.includes('--output=json') ? 'json' : 'table';
	let pending: Promise<{result: CommandResult; document: ResultDocument}> | undefined;

	const program = new Command('community-runbook')
		.description('Guided, resumable, evidence-keeping runbook for the stage-11 community upgrade.')
		.version(version, '--version')
		.exitOverride()
		.configureOutput({writeOut: text => terminal.stdout.write(text), writeErr: () => {}})
		// One width everywhere, so the help the build stores for the bin (help-snapshot.ts) is the help printed here.
		.configureHelp({helpWidth})
		.showSuggestionAfterError(true);

	for (const entry of commands) {
		const command = program.command(entry.name, {isDefault: entry.name === 'guide'}).description(entry.summary).exitOverride().configureOutput({writeOut: text => terminal.stdout.write(text), writeErr: () => {}}).configureHelp({helpWidth});
		for (const argument of entry.arguments ?? []) {
			command.argument(argument);
		}

		for (const option of entry.options) {
			command.addOption(new Option(option.flags, option.description));
		}

		for (const [flags, help] of globalOptionFlags) {
			command.addOption(new Option(flags, help));
		}

		command.action(async (...parameters: unknown[]) => {
			commandName = entry.name;
			const raw = (parameters.at(-1) as Command).opts();
			outputFormat = raw.output === 'json' ? 'json' : outputFormat;
			pending = execute(entry, raw, parameters.slice(0, -2) as string[]);
		});
	}

	try {
		await program.parseAsync([...argv], {from: 'user'});
	} catch (error) {
		if (error instanceof CommanderError) {
			if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
				return 0;
			}

			return fail(new UsageError(commanderMessage(error), {hint: `Run \`community-runbook ${commandName === 'guide' ? '' : `${commandName} `}--help\` for the accepted options.`}));
		}

		return fail(error);
	}

	if (!pending) {
		return 0;
	}

	try {
		const {result, document} = await pending;
		print(result, document);
		return result.exitCode ?? (result.status === 'succeeded' ? 0 : 1);
	} catch (error) {
		return fail(error);
	}

	async function execute(entry: CommandEntry, raw: Record<string, unknown>, args: string[]) {
		const globalRaw = Object.fromEntries(Object.entries(raw).filter(([key]) => globalKeys.has(key)));
		const ownRaw: Record<string, unknown> = Object.fromEntries(Object.entries(raw).filter(([key]) => !globalKeys.has(key)));
		if (entry.arguments?.length) {
			ownRaw.args = args;
		}

		const global = globalOptionsSchema.safeParse(globalRaw);
		if (!global.success) {
			throw usageErrorFrom(global.error);
		}

		const spec = await entry.load();
		const own = spec.schema.safeParse(ownRaw);
		if (!own.success) {
			throw usageErrorFrom(own.error);
		}

		const result = await spec.run(buildContext(global.data, terminal, signal, forceExit, hooks), own.data);
		const document: ResultDocument = {
			command: entry.name,
			status: result.status,
			dry_run: result.dry_run ?? false,
			run_id: result.run_id ?? null,
			params: result.params ?? {},
			metrics: result.metrics ?? {},
			drift: result.drift ?? null,
			warnings: result.warnings ?? [],
			error: null,
			evidence_dir: result.evidence_dir ?? null,
			duration_ms: Date.now() - startedAt,
			...result.extra,
		};
		return {result, document};
	}

	function fail(original: unknown): number {
		// A connection lost mid-run is not a bug: exit 8, resumable (DESIGN.md §10).
		const error = asDatabaseUnreachable(original);
		const code = exitCodeOf(error);
		const known = error instanceof RunbookError && code !== 1;
		const message = redactSecrets(error instanceof Error ? error.message : String(error));
		const hint = error instanceof RunbookError && error.hint ? redactSecrets(error.hint) : undefined;
		if (known) {
			terminal.stderr.write(`error: ${message}${hint ? ` ${hint}` : ''}\n`);
		} else {
			const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
			const stack = cause instanceof Error && cause.stack ? redactSecrets(cause.stack) : message;
			terminal.stderr.write(`internal error (this is a bug, please report it with the lines below):\n${stack}\n`);
		}

		if (outputFormat === 'json') {
			const run = error instanceof RunbookError ? error.run : {};
			terminal.stdout.write(
				JSON.stringify({
					command: commandName,
					status: code === 130 ? 'aborted' : 'failed',
					dry_run: false,
					run_id: run.runId ?? null,
					params: {},
					metrics: run.metrics ?? {},
					drift: run.drift ?? null,
					warnings: [],
					error: {code, message, hint: hint ?? null},
					evidence_dir: run.evidenceDir ?? null,
					duration_ms: Date.now() - startedAt,
					...run.extra,
				}) + '\n',
			);
		}

		return code;
	}

	function print(result: CommandResult, document: ResultDocument): void {
		if (outputFormat === 'json') {
			terminal.stdout.write(JSON.stringify(document) + '\n');
			return;
		}

		if (result.text !== undefined) {
			terminal.stdout.write(result.text);
			return;
		}

		terminal.stdout.write(outputFormat === 'plain' ? renderPlain(result, document) : renderTable(result, document));
	}
}

function buildContext(global: GlobalOptions, terminal: Terminal, signal: AbortSignal, forceExit: (code: number) => void, hooks: Hooks): CommandContext {
	const {profile, target, implicitDemo} = resolveTarget(global, terminal.env, terminal.cwd);
	const appRoot = resolve(terminal.cwd, global.appRoot ?? '.');
	const evidenceRoot = resolve(terminal.cwd, global.evidenceDir ?? resolve(appRoot, 'storage/app/upgrade/stage11'));
	let announced = false;
	const announceTarget = () => {
		if (implicitDemo && !announced) {
			announced = true;
			terminal.stderr.write(`note: no --database-url or DATABASE_URL given; using the demo profile (${target.dialect === 'sqlite' ? target.path : ''}).\n`);
		}
	};

	return {
		global,
		terminal,
		profile,
		appRoot,
		evidenceRoot,
		databaseLabel: describeTarget(target),
		warn(message) {
			terminal.stderr.write(`warning: ${redactSecrets(message)}\n`);
		},
		signal,
		forceExit,
		hooks,
		announceTarget,
		async connectReadOnly() {
			announceTarget();
			const {openReadOnlyDatabase} = await import('../db/read-only-database.js');
			return openReadOnlyDatabase(target, {sessionTimeZone: global.dbSessionTimezone});
		},
		async connect(options = {}) {
			announceTarget();
			const {openDatabase, migrateRunbookTables} = await import('../db/orm.js');
			const database = await openDatabase(target, {createSqliteFile: options.createSqliteFile ?? (profile !== 'production' && implicitDemo), sessionTimeZone: global.dbSessionTimezone});
			if (options.migrate !== false) {
				try {
					const applied = await migrateRunbookTables(database);
					if (applied.length > 0) {
						const note = options.onNote ?? ((message: string) => terminal.stderr.write(`note: ${message}\n`));
						note(`created the runbook tables (${applied.join(', ')}).`);
					}
				} catch (error) {
					await database.close();
					throw error;
				}
			}

			return database;
		},
	};
}

function commanderMessage(error: CommanderError): string {
	return redactUrl(error.message.replace(/^error: /, '').split('\n')[0]!.trim()).replace(/\.?$/, '.');
}
