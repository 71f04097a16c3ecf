import type {Writable} from 'node:stream';
import type {z} from 'zod';
import type {Database} from '../db/orm.js';
import type {Profile} from '../db/database-url.js';
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
	readonly drift?: Record<string, [number, number]> | null;
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

export type CommandContext = {
	readonly global: GlobalOptions;
	readonly terminal: Terminal;
	readonly profile: Profile;
	readonly appRoot: string;
	readonly evidenceRoot: string;
	/** The database as it may be shown (no password). */
	readonly databaseLabel: string;
	/** Opens the database the options name (and applies the tool's migrations unless told not to). */
	readonly connect: (options?: {readonly createSqliteFile?: boolean; readonly migrate?: boolean}) => Promise<Database>;
	readonly warn: (message: string) => void;
	/** Aborted on Ctrl-C / SIGTERM. */
	readonly signal: AbortSignal;
	/** Exits at once (the operator's second Ctrl-C). */
	readonly forceExit: (code: number) => void;
};

export type CommandSpec<Options = Record<string, unknown>> = {
	readonly name: string;
	readonly summary: string;
	readonly arguments?: ReadonlyArray<string>;
	/** Command-specific flags: [commander flags, help]. */
	readonly options: ReadonlyArray<readonly [string, string]>;
	/** Validates the command's own options (raw strings) and positional arguments (`args`). */
	readonly schema: z.ZodType<Options>;
	readonly run: (context: CommandContext, options: Options) => Promise<CommandResult>;
};
