import type {CommandSpec} from '../command.js';
import {backfillMembershipCommand} from './backfill-membership.js';
import {enableFeatureCommand} from './enable-feature.js';
import {evidenceCommand} from './evidence.js';
import {migrateLegacyActivityCommand} from './migrate-legacy-activity.js';
import {notAvailable} from './not-available.js';
import {rollbackCommand} from './rollback.js';
import {seedBaselineCommand} from './seed-baseline.js';
import {serveCommand} from './serve.js';
import {statusCommand} from './status.js';

// Every command of DESIGN.md §10, in help order. Each lives in its own module once implemented.
export const commands: Array<CommandSpec<any>> = [
	notAvailable('guide', 'Guided TUI session (needs a TTY; otherwise use `run --yes`)', []),
	notAvailable('run', 'Run the stage-11 runbook steps 1-9 non-interactively', [['--from <step>', 'first step to run'], ['--until <step>', 'last step to run'], ['--resume', 'continue the last unfinished run'], ['--backup-ack', 'acknowledge a fresh backup exists (needed with --yes)'], ['--batch <n>', 'backfill batch size (default 1000)'], ['--chunk <n>', 'legacy-activity chunk size (default 500)'], ['--since <when>', 'legacy activity since (ISO date or \'-90 days\')']]),
	seedBaselineCommand,
	backfillMembershipCommand,
	migrateLegacyActivityCommand,
	enableFeatureCommand,
	notAvailable('verify', 'Verify the API gate, the SQL spot check and sampled users', [['--api-url <url>', 'profile-activity API base URL (RUNBOOK_API_URL)'], ['--token <token>', 'API bearer token (RUNBOOK_API_TOKEN)'], ['--sample <n>', 'users to reconcile (default 50)'], ['--seed <n>', 'sampling seed']]),
	rollbackCommand,
	statusCommand,
	evidenceCommand,
	notAvailable('demo', 'Create the platform tables and a realistic demo dataset (demo/testing only)', [['--size <size>', 'tiny | small | 1m (default small)'], ['--seed <n>', 'random seed (default 42)']]),
	serveCommand,
];
