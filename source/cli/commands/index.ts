import type {CommandSpec} from '../command.js';
import {backfillMembershipCommand} from './backfill-membership.js';
import {demoCommand} from './demo.js';
import {enableFeatureCommand} from './enable-feature.js';
import {evidenceCommand} from './evidence.js';
import {migrateLegacyActivityCommand} from './migrate-legacy-activity.js';
import {guideCommand} from './guide.js';
import {notAvailable} from './not-available.js';
import {rollbackCommand} from './rollback.js';
import {runCommand} from './run.js';
import {seedBaselineCommand} from './seed-baseline.js';
import {serveCommand} from './serve.js';
import {verifyCommand} from './verify.js';
import {statusCommand} from './status.js';

// Every command of DESIGN.md §10, in help order. Each lives in its own module once implemented.
export const commands: Array<CommandSpec<any>> = [
	guideCommand,
	runCommand,
	seedBaselineCommand,
	backfillMembershipCommand,
	migrateLegacyActivityCommand,
	enableFeatureCommand,
	verifyCommand,
	rollbackCommand,
	statusCommand,
	evidenceCommand,
	demoCommand,
	serveCommand,
];
