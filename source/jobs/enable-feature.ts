import {access} from 'node:fs/promises';
import {join} from 'node:path';
import type {z} from 'zod';
import type {Sql} from '../db/sql.js';
import type {UndoRow} from '../db/bookkeeping/undo-journal.js';
import {PrerequisiteFailed} from '../core/errors.js';
import {flagFilePaths, flagsEnvVariable, parseEnvOverrides} from '../engine/feature-flags.js';
import {afterHash, pickTracked} from '../engine/row-hash.js';
import {rowsById} from '../db/table-shape.js';
import {isoSeconds} from '../core/timestamps.js';
import {columnsOf, type JsonColumns} from './platform/json-columns.js';
import {platformTime} from './platform/local-time.js';
import {type CommunityRow, resolveCommunities} from './community-refs.js';
import {appRelative, contentHash, prettyJson, readTextOrNull, type StagedFile, stageFile} from './flag-files.js';
import type {CheckResult, Job, JobContext, JobResult} from '../engine/job.js';

// enable-feature (DESIGN.md §3.4): sets a flag in <app root>/storage/app/feature-flags.json and its rollout in
// feature-rollouts.json (other flags kept, pretty JSON, atomic writes), and marks the named communities as beta
// (settings.rollout.beta + launched_at). Idempotent: a flag already as requested leaves both files untouched, a
// community already marked with the same segments is not rewritten. Every change is in the undo log first.

import {type EnableFeatureParams, enableFeatureParameters} from './params/enable-feature.js';

export type {EnableFeatureParams} from './params/enable-feature.js';

type FileChange = {readonly path: string; readonly name: string; readonly previous: string | null; readonly next: string | null};
type CommunityChange = {readonly row: CommunityRow; readonly settings: string; readonly launchedAt: string; readonly changed: boolean};

type FeaturePlan = {
	readonly flags: FileChange;
	readonly rollouts: FileChange;
	readonly communities: CommunityChange[];
	readonly unresolved: string[];
	readonly metrics: Record<string, number>;
};

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseObjectFile(path: string, text: string | null): Record<string, unknown> {
	if (text === null) {
		return {};
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		parsed = undefined;
	}

	if (!isObject(parsed)) {
		throw new PrerequisiteFailed(`${path} is not a valid JSON object.`, {hint: 'Fix or remove the file (the platform cannot read it either), then retry.'});
	}

	return parsed;
}

const sameList = (a: unknown, b: readonly string[]) => Array.isArray(a) && a.length === b.length && a.every((item, index) => item === b[index]);

/** settings is an encrypted attribute: read in any form, written in the platform's (DESIGN.md §2); `[]` is empty. */
function planCommunity(row: CommunityRow, segments: readonly string[], updatedAt: string, launchedAt: string, columns: JsonColumns): CommunityChange {
	const settings = columns.read(row.settings, {table: 'communities', column: 'settings', rowId: row.id});

	const rollout = isObject(settings.rollout) ? settings.rollout : {};
	const beta = isObject(rollout.beta) ? rollout.beta : {};
	const marked = beta.enabled === true && sameList(beta.segments, segments) && row.launched_at !== null;
	const next = {...settings, rollout: {...rollout, beta: {enabled: true, segments: [...segments], updated_at: updatedAt}}};
	return {row, settings: marked ? (row.settings ?? '') : columns.write(next), launchedAt: row.launched_at ?? launchedAt, changed: !marked};
}

type FilePlan = {readonly flags: FileChange; readonly rollouts: FileChange};

/** The two flag files as they are and as they should be (`next` null: already as requested, left alone). */
async function planFiles(context: JobContext<EnableFeatureParams>): Promise<FilePlan> {
	const {flag, percentage, segment: segments} = context.params;
	const enabled = percentage > 0;
	const paths = flagFilePaths(context.appRoot);
	const [flagsText, rolloutsText] = await Promise.all([readTextOrNull(paths.flags), readTextOrNull(paths.rollouts)]);
	const flags = parseObjectFile(paths.flags, flagsText);
	const rollouts = parseObjectFile(paths.rollouts, rolloutsText);
	const current = isObject(rollouts[flag]) ? rollouts[flag] : undefined;
	const rolloutUnchanged = current !== undefined && current.enabled === enabled && current.percentage === percentage && sameList(current.segments, segments);
	const entry = {enabled, percentage, segments: [...segments], updated_at: isoSeconds(context.startedAt)};
	return {
		flags: {path: paths.flags, name: appRelative(context.appRoot, paths.flags), previous: flagsText, next: flags[flag] === enabled ? null : prettyJson({...flags, [flag]: enabled})},
		rollouts: {path: paths.rollouts, name: appRelative(context.appRoot, paths.rollouts), previous: rolloutsText, next: rolloutUnchanged ? null : prettyJson({...rollouts, [flag]: entry})},
	};
}

/** Everything enable-feature would change, read-only (the dry run; execute runs it inside its transaction). */
async function planFeature(sql: Sql, context: JobContext<EnableFeatureParams>, files: FilePlan): Promise<FeaturePlan> {
	const segments = context.params.segment;
	const {found, unresolved} = await resolveCommunities(sql, context.params.community ?? []);
	const columns = await columnsOf(context);
	const communities = found.map(row => planCommunity(row, segments, isoSeconds(context.startedAt), platformTime(context.platform, context.startedAt), columns));
	const marked = communities.filter(change => change.changed).length;
	const filesWritten = [files.flags, files.rollouts].filter(change => change.next !== null).length;
	return {
		...files,
		communities,
		unresolved,
		metrics: {
			flags_changed: filesWritten > 0 ? 1 : 0,
			files_written: filesWritten,
			percentage: context.params.percentage,
			communities_marked: marked,
			communities_unchanged: communities.length - marked,
			communities_unresolved: unresolved.length,
		},
	};
}

/** The warnings of §3.4: env override, config cache, unresolved communities. */
async function warnAbout(context: JobContext<EnableFeatureParams>, plan: FeaturePlan): Promise<void> {
	const {flag} = context.params;
	let overrides: Record<string, unknown> | null = null;
	try {
		overrides = parseEnvOverrides(context.env[flagsEnvVariable]);
	} catch {
		context.warn(`${flagsEnvVariable} is set but is not a JSON object; the platform may fail to read its flags. Fix or unset it.`);
	}

	if (overrides && Object.hasOwn(overrides, flag)) {
		context.warn(`${flagsEnvVariable} sets ${flag} to ${JSON.stringify(overrides[flag])} and overrides the flags file: this change would not take effect until ${flagsEnvVariable} drops ${flag}.`);
	}

	const cache = join(context.appRoot, 'bootstrap', 'cache', 'config.php');
	if (await access(cache).then(() => true, () => false)) {
		context.warn('bootstrap/cache/config.php exists: the platform caches its configuration; run `php artisan config:clear` on the platform so it reads the new flag.');
	}

	if (plan.unresolved.length > 0) {
		context.warn(`Communities not found (or deleted), not marked as beta: ${plan.unresolved.join(', ')}.`);
	}
}

function resultOf(plan: FeaturePlan, context: JobContext<EnableFeatureParams>): JobResult {
	const file = (change: FileChange) => ({file: change.name, change: change.next === null ? 'unchanged' : change.previous === null ? 'created' : 'updated'});
	return {
		metrics: plan.metrics,
		samples: [file(plan.flags), file(plan.rollouts), ...plan.communities.map(change => ({community_id: change.row.id, slug: change.row.slug, change: change.changed ? 'marked' : 'unchanged', launched_at: change.launchedAt}))],
		details: {flag: context.params.flag, percentage: context.params.percentage, enabled: context.params.percentage > 0, segments: context.params.segment, unresolved_communities: plan.unresolved},
	};
}

export const enableFeature: Job<EnableFeatureParams> = {
	name: 'enable-feature',
	parameters: enableFeatureParameters as z.ZodType<EnableFeatureParams>,
	semanticParams: params => ({flag: params.flag, percentage: params.percentage, segments: params.segment, communities: params.community ?? []}),
	touches: ['communities'],
	async check(context): Promise<CheckResult> {
		const checks: Array<{name: string; ok: boolean; detail: string}> = [];
		try {
			await planFeature(context.database.sql, context, await planFiles(context));
			checks.push({name: 'flag files and community settings', ok: true, detail: 'readable'});
		} catch (error) {
			if (!(error instanceof PrerequisiteFailed)) {
				throw error;
			}

			checks.push({name: 'flag files and community settings', ok: false, detail: `${error.message} ${error.hint ?? ''}`.trim()});
		}

		return {ok: checks.every(check => check.ok), checks};
	},
	async plan(context): Promise<JobResult> {
		const plan = await planFeature(context.database.sql, context, await planFiles(context));
		await warnAbout(context, plan);
		return resultOf(plan, context);
	},
	async execute(context): Promise<JobResult> {
		const files = await planFiles(context);
		await warnAbout(context, await planFeature(context.database.sql, context, files));
		// Files are staged (written + fsynced beside the targets) first, the undo log and the community changes are
		// committed in one transaction, and only then are the files renamed into place.
		const staged: StagedFile[] = [];
		try {
			for (const change of [files.flags, files.rollouts]) {
				if (change.next !== null) {
					staged.push(await stageFile(change.path, change.next));
				}
			}

			const plan = await context.commit(async tx => {
				const plan = await planFeature(tx, context, files);
				const undo: UndoRow[] = [];
				for (const change of [plan.flags, plan.rollouts]) {
					if (change.next !== null) {
						undo.push({table: change.name, action: 'file', before: change.previous, afterHash: contentHash(change.next)});
					}
				}

				const statement = 'UPDATE communities SET settings = ?, launched_at = ? WHERE id = ? AND deleted_at IS NULL';
				// Every column of the rows before the update: the undo row's after_hash covers the whole row (DESIGN.md §8).
				const fullRows = await rowsById(tx, 'communities', plan.communities.filter(change => change.changed).map(change => change.row.id));
				for (const change of plan.communities.filter(change => change.changed)) {
					await tx.run(statement, [change.settings, change.launchedAt, change.row.id]);
					context.recordSql(statement, [change.settings, change.launchedAt, change.row.id]);
					undo.push({table: 'communities', rowId: change.row.id, action: 'update', before: pickTracked('communities', change.row), afterHash: await afterHash(tx, 'communities', {id: change.row.id, before: fullRows.get(change.row.id)!, written: {settings: change.settings, launched_at: change.launchedAt}})});
				}

				return {value: plan, metrics: plan.metrics, undo};
			});
			while (staged.length > 0) {
				await staged[0]!.commit();
				staged.shift();
			}

			return resultOf(plan, context);
		} finally {
			await Promise.all(staged.map(async file => file.discard()));
		}
	},
};
