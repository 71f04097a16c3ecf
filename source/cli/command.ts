import type {Writable} from 'node:stream';
import type {z} from 'zod';
import type {Profile} from '../db/database-url.js';
import type {Database} from '../db/orm.js';
import type {ReadOnlyDatabase} from '../db/read-only-database.js';
import type {BatchObserver} from '../engine/batch-runner.js';
import type {GlobalOptions} from './global-options.js';

export type CommandStatus = 'succeeded' | 'failed' | 'aborted';

/** What a command hands back; the CLI prints it per --output (DESIGN.md §10 "JSON output"). */
export type CommandResult = {
	readonly status: CommandStatus;
	readonly exitCode?: number;
	readonly dry_run?: boolean;
	readonly run_id?: string | null;
	readonly params?: Record<string, unknown>;
	readonly metrics?: Record<string, number>;
	readonly drift?: Readonly<Record<string, readonly [number, number]>> | null;
	readonly warnings?: string[];
	readonly evidence_dir?: string | null;
	/** Extra top-level keys for the JSON document (e.g. `steps` for `run`). */
	readonly extra?: Record<string, unknown>;
	/** Lines for table/plain output beyond the metrics (e.g. `status`, `evidence list`). */
	readonly lines?: string[];
	/** Raw text for stdout that replaces the default rendering (e.g. `evidence export` without --out). */
	readonly text?: string;
};

export type Terminal = {
	readonly stdout: Writable & {isTTY?: boolean; columns?: number};
	readonly stderr: Writable & {isTTY?: boolean};
	readonly stdin: NodeJS.ReadableStream & {isTTY?: boolean};
	readonly env: NodeJS.ProcessEnv;
	readonly cwd: string;
	/** Decided once, at the edge (STYLE.md): !CI && stdin and stdout are TTYs. */
	readonly interactive: boolean;
};

/** Test hooks, injected by tests through `runCli`; the production entry passes none. */
export type Hooks = {readonly afterBatch?: BatchObserver};

export type CommandContext = {
	readonly global: GlobalOptions;
	readonly terminal: Terminal;
	readonly profile: Profile;
	readonly appRoot: string;
	readonly evidenceRoot: string;
	/** The database as it may be shown (no password). */
	readonly databaseLabel: string;
	/**
	 * Opens the database the options name (and applies the tool's migrations unless told not to). Its notes (the
	 * tables it created) go to `onNote`, default a `note:` line on stderr; the guided session draws them in the TUI.
	 */
	readonly connect: (options?: {readonly createSqliteFile?: boolean; readonly migrate?: boolean; readonly onNote?: (message: string) => void}) => Promise<Database>;
	/** Opens the database for reading only, through the bare driver (no ORM, no migrations): `status`. */
	readonly connectReadOnly: () => Promise<ReadOnlyDatabase>;
	/** Says once, on stderr, that no database was named and the demo profile is used (connect says it too). */
	readonly announceTarget: () => void;
	readonly warn: (message: string) => void;
	/** Aborted on Ctrl-C / SIGTERM. */
	readonly signal: AbortSignal;
	/** Exits at once (the operator's second Ctrl-C). */
	readonly forceExit: (code: number) => void;
	readonly hooks: Hooks;
};

/** A command-line option: the flags as commander reads them, and its help text. */
export type OptionSpec = {readonly key: string; readonly flags: string; readonly description: string};

/**
 * A command as the argument parser sees it: cheap to load (names, help, flags), so `--help` and `--version` never
 * load the database driver, the ORM or Ink. `load` brings in what runs it.
 */
export type CommandEntry = {
	readonly name: string;
	readonly summary: string;
	readonly arguments?: ReadonlyArray<string>;
	readonly options: readonly OptionSpec[];
	readonly load: () => Promise<CommandSpec<any>>;
};

export type CommandSpec<Options = Record<string, unknown>> = {
	/** Validates the command's own options (raw strings) and positional arguments (`args`). */
	readonly schema: z.ZodType<Options>;
	readonly run: (context: CommandContext, options: Options) => Promise<CommandResult>;
};
