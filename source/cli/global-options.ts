import {z} from 'zod';

const positiveInt = (name: string) =>
	z
		.string()
		.regex(/^\d+$/, `${name} must be a whole number`)
		.transform(Number)
		.refine(n => Number.isSafeInteger(n) && n >= 0, `${name} is too large`);

/** Options every command accepts (DESIGN.md §10). Values arrive as strings from the argument parser. */
export const globalOptionsSchema = z.object({
	databaseUrl: z.string().optional(),
	profile: z.enum(['production', 'testing', 'demo'], {error: '--profile must be production, testing or demo'}).optional(),
	output: z.enum(['table', 'plain', 'json'], {error: '--output must be table, plain or json'}).default('table'),
	evidenceDir: z.string().min(1).optional(),
	appRoot: z.string().min(1).optional(),
	yes: z.boolean().default(false),
	acceptDrift: z.boolean().default(false),
	restart: z.boolean().default(false),
	adaptive: z.boolean().default(false),
	replicaUrl: z.string().optional(),
	maxReplicaLag: positiveInt('--max-replica-lag').default(5),
	queueUrl: z.string().optional(),
	maxQueueDepth: positiveInt('--max-queue-depth').default(1000),
	notifyWebhook: z.string().optional(),
	breakLock: z.boolean().default(false),
	events: z.enum(['json'], {error: '--events must be json'}).optional(),
	appTimezone: z.string().min(1, '--app-timezone needs a zone name, e.g. Asia/Dhaka').optional(),
	dbSessionTimezone: z.string().min(1, "--db-session-timezone needs a zone, e.g. '+06:00' or Asia/Dhaka").optional(),
	appCipher: z.string().min(1).optional(),
	encryptedAttributes: z.enum(['auto', 'always', 'never'], {error: '--encrypted-attributes must be auto, always or never'}).default('auto'),
});

export type GlobalOptions = z.infer<typeof globalOptionsSchema>;

/** Flags as the argument parser registers them on every command, with their help text. */
export const globalOptionFlags: ReadonlyArray<readonly [string, string]> = [
	['--database-url <url>', 'mysql://, mariadb:// or sqlite:<path> (default: DATABASE_URL, else the demo database)'],
	['--profile <profile>', 'production | testing | demo'],
	['--output <format>', 'table | plain | json'],
	['--evidence-dir <dir>', 'where evidence folders go (default <app root>/storage/app/upgrade/stage11)'],
	['--app-root <dir>', "the platform's root: flag files and evidence (default: working directory)"],
	['--yes', 'answer every confirmation (non-interactive)'],
	['--accept-drift', 'continue when the execution differs from the dry run'],
	['--restart', 'start a new run instead of resuming an unfinished one'],
	['--adaptive', 'tune the batch size toward a 500 ms batch'],
	['--replica-url <url>', 'replica to watch for lag (SHOW REPLICA STATUS)'],
	['--max-replica-lag <seconds>', 'wait while the replica lags more (default 5)'],
	['--queue-url <url>', 'queue to watch: redis://<host>:6379[/<db>]?queue=<name> (LLEN queues:<name>), or jobs / jobs:<queue> (the platform\'s jobs table)'],
	['--max-queue-depth <n>', 'wait while the queue holds more jobs (default 1000)'],
	['--notify-webhook <url>', 'Slack-compatible webhook for the summary (default RUNBOOK_NOTIFY_WEBHOOK)'],
	['--break-lock', "take over a stale lock held by another host's run"],
	['--events <format>', 'json: JSON-lines events on stderr'],
	['--app-timezone <zone>', "the platform's time zone (default APP_TIMEZONE from the environment or <app root>/.env, else config/app.php, else UTC)"],
	['--db-session-timezone <zone>', "MySQL/MariaDB session time zone, when the platform's database config names one (default: the server's)"],
	['--app-cipher <cipher>', "the platform's Crypt cipher: AES-256-CBC (default), AES-128-CBC, AES-256-GCM, AES-128-GCM"],
	['--encrypted-attributes <mode>', 'auto (write each encrypted column as the platform does) | always | never'],
];
