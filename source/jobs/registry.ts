import {backfillMembership} from './backfill-membership.js';
import {enableFeature} from './enable-feature.js';
import type {Job} from '../engine/job.js';
import {migrateLegacyActivity} from './migrate-legacy-activity.js';
import {notify} from './notify.js';
import {prerequisites} from './prerequisites.js';
import {rollbackJob} from './rollback.js';
import {seedBaseline} from './seed-baseline.js';
import {verify} from './verify.js';

/** Every job the runbook can name; a step whose job is missing here shows as unavailable, never as done. */
export const jobRegistry: Readonly<Record<string, Job<any>>> = {
	prerequisites,
	'seed-baseline': seedBaseline,
	'backfill-membership': backfillMembership,
	'migrate-legacy-activity': migrateLegacyActivity,
	'enable-feature': enableFeature,
	verify,
	notify,
	rollback: rollbackJob,
};
