import {bannedPairEnrollments, clearPairs, fillPairs, type PairRange, pairsTable} from '../db/bookkeeping/backfill-pairs.js';
import type {Sql} from '../db/sql.js';
import {rowsById} from '../db/table-shape.js';
import type {BatchSource} from '../engine/batch-runner.js';
import {addMetrics} from '../engine/batch-runner.js';
import {isoSeconds} from '../core/timestamps.js';
import {type ClassroomLink, loadCommunityLinks} from './classroom-links.js';
import {type ClassifiedPair, type Stamp, toClassifiedPair, writeMembers} from './backfill/member-writes.js';
import {type BackfillParams, backfillParameters, resolveCommunities} from './backfill/params.js';
import {enrollmentsPerCourse, packCommunities} from './backfill/work-chunks.js';
import {classifiedColumns, type Fragment, linksTable, memberJoin, metricNames, metricsOf, type PairAction, pairAggregation, planQuery, skippedEnrollments} from './backfill/pair-sql.js';
import type {CheckResult, Job, JobContext, JobResult} from '../engine/job.js';
import {jsonColumns, keyCheck, type WriteForm, writeFormOf} from './platform/json-columns.js';
import {entryDateLocalSeconds, platformTime} from './platform/local-time.js';
import {checkEncryptedValues} from './platform/preflight.js';
import {checkPlatformSchema} from './platform/schema-check.js';

const platformTablesRead = ['users', 'enrollments', 'communities', 'community_members'];
const samplesPerAction = 10;
const samplesPerReason = 5;

type Context = JobContext<BackfillParams>;

/** The links in scope, the up-front metrics, and the reasons enrollments were skipped before any pair exists. */
type WorkSet = {
	readonly links: ClassroomLink[];
	readonly linksSql: Fragment | null;
	readonly upfront: Record<string, number>;
	readonly skipped: Record<string, {enrollments: number; samples: Array<{community_id: number; enrollment_id: number}>}>;
	readonly warnings: string[];
	/** How the encrypted metadata column is written here, fixed at the start (DESIGN.md §2). */
	readonly form: WriteForm;
};

function zeroMetrics(): Record<string, number> {
	return Object.fromEntries(metricNames.map(name => [name, 0]));
}

function ordered(metrics: Record<string, number>): Record<string, number> {
	return Object.fromEntries(metricNames.map(name => [name, metrics[name] ?? 0]));
}

/** Loads the links of the communities in scope (warning about invalid entries) and counts the unusable enrollments. */
async function prepareWorkSet(context: Context, upperBound: number): Promise<WorkSet> {
	const sql = context.database.sql;
	const communityIds = await resolveCommunities(sql, context.params.community);
	const {communities} = await loadCommunityLinks(sql, {communityIds, keys: context.platform.keys});
	const warnings = communities.flatMap(community => community.invalid.map(invalid => `Community ${community.slug} (id ${community.communityId}): classroom link ${JSON.stringify(invalid.entry)} ignored: ${invalid.reason}.`));
	for (const warning of warnings) {
		context.warn(warning);
	}

	const links = communities.flatMap(community => community.links);
	const linked = communities.filter(community => community.links.length > 0).length;
	const upfront = {...zeroMetrics(), communities_processed: linked, communities_skipped: communities.length - linked};
	const skipped: WorkSet['skipped'] = {};
	const linksSql = links.length > 0 ? linksTable(sql.dialect, links) : null;
	if (linksSql) {
		const query = skippedEnrollments(sql.dialect, linksSql, upperBound, samplesPerReason);
		context.recordSql(query.sql, query.params);
		for (const row of await sql.all<Record<string, unknown>>(query.sql, query.params)) {
			const reason = String(row.reason);
			skipped[reason] ??= {enrollments: Number(row.enrollments), samples: []};
			skipped[reason].samples.push({community_id: Number(row.community_id), enrollment_id: Number(row.enrollment_id)});
		}
	}

	const skippedTotal = Object.values(skipped).reduce((sum, reason) => sum + reason.enrollments, 0);
	const form = await writeFormOf(sql, context.platform);
	return {links, linksSql, upfront: {...upfront, enrollments_scanned: skippedTotal, records_skipped: skippedTotal}, skipped, warnings, form};
}

type StoredWorkSet = Omit<WorkSet, 'linksSql'>;

function storeWorkSet(workSet: WorkSet): StoredWorkSet {
	return {links: workSet.links, upfront: workSet.upfront, skipped: workSet.skipped, warnings: workSet.warnings, form: workSet.form};
}

function restoreWorkSet(context: Context, stored: StoredWorkSet): WorkSet {
	for (const warning of stored.warnings) {
		context.warn(warning);
	}

	return {...stored, linksSql: stored.links.length > 0 ? linksTable(context.database.sql.dialect, stored.links) : null};
}

async function enrollmentsUpperBound(sql: Sql): Promise<number> {
	const row = await sql.get<{bound: unknown}>('SELECT MAX(id) AS bound FROM enrollments');
	return Number(row?.bound ?? 0);
}

function details(workSet: WorkSet, upperBound: number, banned: {enrollments: number; samples: unknown[]}): Record<string, unknown> {
	return {
		enrollments_upper_bound: upperBound,
		links: workSet.links.map(link => ({community_id: link.communityId, course_id: link.courseId, role: link.role})),
		skipped: {...workSet.skipped, member_banned: banned},
	};
}

export const backfillMembership: Job<BackfillParams> = {
	name: 'backfill-membership',
	resumable: true,
	parameters: backfillParameters,
	semanticParams: params => ({source: params.source, community: params.community ?? null}),
	touches: ['community_members'],

	async check(context): Promise<CheckResult> {
		const sql = context.database.sql;
		const checks = await checkPlatformSchema(sql, platformTablesRead);
		if (checks.some(check => !check.ok)) {
			return {ok: false, checks};
		}

		// An unknown --community is bad input: UsageError (exit 2) before anything is written.
		const communityIds = await resolveCommunities(sql, context.params.community);
		const {communities, unreadable} = await loadCommunityLinks(sql, {communityIds, keys: context.platform.keys});
		checks.push({name: 'communities', ok: true, detail: `${communities.length + unreadable.length} in scope`});
		for (const community of unreadable) {
			checks.push({name: `settings of community ${community.slug} (id ${community.communityId})`, ok: false, detail: community.reason});
		}

		// Every member metadata the backfill will merge into must decrypt, and writing needs the key where it encrypts.
		const linked = communities.filter(community => community.links.length > 0).map(community => community.communityId);
		checks.push(keyCheck(context.platform, await writeFormOf(sql, context.platform)));
		if (linked.length > 0) {
			checks.push(...(await checkEncryptedValues(sql, context.platform, [{table: 'community_members', column: 'metadata', where: `community_id IN (${linked.join(', ')})`}])));
		}

		return {ok: checks.every(check => check.ok), checks};
	},

	async plan(context): Promise<JobResult> {
		const sql = context.database.sql;
		const upperBound = await enrollmentsUpperBound(sql);
		const workSet = await prepareWorkSet(context, upperBound);
		let metrics = workSet.upfront;
		const samples: unknown[] = [];
		const banned = {enrollments: 0, samples: [] as unknown[]};
		if (workSet.linksSql) {
			const pairs = pairAggregation(sql.dialect, workSet.linksSql, upperBound, await joinDates(context));
			const query = planQuery(sql.dialect, pairs, samplesPerAction);
			context.recordSql(query.sql, query.params);
			const seen = new Set<string>();
			for (const row of await sql.all<Record<string, unknown>>(query.sql, query.params)) {
				const pair = toClassifiedPair(row);
				if (!seen.has(pair.action)) {
					seen.add(pair.action);
					metrics = addMetrics(metrics, metricsOf(pair.action, Number(row.pairs), Number(row.enrollments)));
					if (pair.action === 'banned') {
						banned.enrollments = Number(row.enrollments);
					}
				}

				(pair.action === 'banned' ? banned.samples : samples).push(sample(pair));
			}
		}

		return {metrics: ordered(metrics), samples, details: details(workSet, upperBound, banned)};
	},

	async execute(context): Promise<JobResult> {
		const sql = context.database.sql;
		const saved = context.checkpoint?.state ?? {};
		const upperBound = typeof saved.upperBound === 'number' ? saved.upperBound : await enrollmentsUpperBound(sql);
		if (typeof saved.upperBound !== 'number') {
			await context.saveState({upperBound});
		}

		// A resume reuses the work set fixed at the start (links, up-front counts, skip reasons), it never recounts.
		const workSet = saved.workSet ? restoreWorkSet(context, saved.workSet as StoredWorkSet) : await prepareWorkSet(context, upperBound);
		if (!saved.workSet) {
			await context.saveState({workSet: storeWorkSet(workSet)});
		}

		const built = (saved.pairs as Built | undefined) ?? (await buildWorkTable(context, workSet, upperBound));
		await context.workSetFixed(built.figures);
		const stamp: Stamp = {runId: context.runId, syncedAt: isoSeconds(context.startedAt), now: platformTime(context.platform, context.startedAt), metadata: jsonColumns(context.platform, workSet.form)};
		const samples: unknown[] = [];
		const banned = {enrollments: 0, samples: [] as unknown[]};
		const sampled: Partial<Record<PairAction, number>> = {};
		let recorded = false;
		const recordOnce = (statement: string, parameters: readonly unknown[]) => {
			if (!recorded) {
				recorded = true;
				context.recordSql(statement, parameters);
			}
		};
		const source: BatchSource = {
			name: 'enrollment_pairs',
			upperBound: built.last - built.base,
			total: built.count,
			async runBatch(tx, range) {
				const outcome = await runPairBatch(tx, context.runId, built.base, range, stamp, recordOnce);
				// The up-front metrics ride on the first batch, so they are checkpointed exactly once.
				const metrics = range.after === 0 ? addMetrics(workSet.upfront, outcome.metrics) : outcome.metrics;
				for (const pair of outcome.pairs) {
					if ((sampled[pair.action] ?? 0) < samplesPerAction) {
						sampled[pair.action] = (sampled[pair.action] ?? 0) + 1;
						(pair.action === 'banned' ? banned.samples : samples).push(sample(pair));
					}

					if (pair.action === 'banned') {
						banned.enrollments += pair.enrollmentCount;
					}
				}

				return {lastKey: outcome.lastKey, scanned: outcome.pairs.length, written: outcome.written, metrics, undo: outcome.undo};
			},
		};
		const result = await context.runBatches([source], {batchSize: context.params.batch, initialMetrics: zeroMetrics()});
		await clearPairs(sql);
		// Nothing to walk: no batch carried the up-front metrics.
		const metrics = built.count === 0 ? addMetrics(result.metrics, workSet.upfront) : result.metrics;
		return {metrics: ordered(metrics), samples, batches: result.batches, details: {...details(workSet, upperBound, banned), pairs: built.count}};
	},
};

function sample(pair: ClassifiedPair): Record<string, unknown> {
	return {
		action: pair.action,
		community_id: pair.communityId,
		user_id: pair.userId,
		member_id: pair.member?.id ?? null,
		before: pair.member ? {role: pair.member.role, status: pair.member.status, joined_at: pair.member.joinedAt, deleted_at: pair.member.deletedAt} : null,
		target_priority: pair.targetPriority,
		target_joined_at: pair.targetJoinedAt,
		first_course_id: pair.firstCourseId,
		enrollments: pair.enrollmentCount,
	};
}

/** Dates of the pair aggregation: entry_date instants and the run's start as the platform's wall clock (DESIGN.md §2). */
async function joinDates(context: Context): Promise<{entryLocal: string; runStartLocalSeconds: number}> {
	const start = platformTime(context.platform, context.startedAt);
	return {entryLocal: await entryDateLocalSeconds(context.database.sql, context.platform), runStartLocalSeconds: Date.parse(`${start.replace(' ', 'T')}Z`) / 1000};
}

/** The work table's key range and the figures the dry run must match before the first write (DESIGN.md §6). */
type Built = {readonly base: number; readonly last: number; readonly count: number; readonly figures: Record<string, number>};

/**
 * Fixes the work set: every (community, user) pair of the run, in (community, user) order, one INSERT … SELECT per
 * chunk of whole communities (work-chunks.ts: the aggregation's temporary table stays in memory).
 */
async function buildWorkTable(context: Context, workSet: WorkSet, upperBound: number): Promise<Built> {
	const sql = context.database.sql;
	let range: PairRange = {base: 0, last: 0, count: 0, enrollments: 0};
	if (workSet.links.length > 0) {
		const dates = await joinDates(context);
		const chunks = packCommunities(workSet.links, await enrollmentsPerCourse(sql, workSet.links, upperBound));
		range = await fillPairs(sql, context.runId, chunks.map(links => pairAggregation(sql.dialect, linksTable(sql.dialect, links), upperBound, dates)), context.recordSql);
	}

	const banned = range.count > 0 ? await bannedPairEnrollments(sql, context.runId) : 0;
	const {upfront} = workSet;
	const figures = {
		communities_processed: upfront.communities_processed ?? 0,
		communities_skipped: upfront.communities_skipped ?? 0,
		enrollments_scanned: (upfront.enrollments_scanned ?? 0) + range.enrollments,
		records_skipped: (upfront.records_skipped ?? 0) + banned,
	};
	const built: Built = {base: range.base, last: range.last, count: range.count, figures};
	await context.saveState({pairs: built});
	return built;
}

/**
 * The batch SELECT: each pair classified against its member row. Walks the primary key: both planners prefer the
 * (run_id, id) index, which costs a second lookup per pair (4x slower per batch on MariaDB). The work table only ever
 * holds this run's pairs, so run_id is a check, not a filter. The member row's other columns are not selected here:
 * most pairs have none (creates), and 17 more columns per row doubled what node-sqlite3 takes to return a batch.
 */
function pairBatchStatement(dialect: Sql['dialect']): string {
	const lock = dialect === 'mysql' ? ' FOR UPDATE' : '';
	const byPrimaryKey = dialect === 'mysql' ? 'FORCE INDEX (PRIMARY)' : 'NOT INDEXED';
	return `SELECT p.id AS pair_id, ${classifiedColumns(dialect)} FROM ${pairsTable} p ${byPrimaryKey} ${memberJoin} WHERE p.run_id = ? AND p.id > ? AND p.id <= ? ORDER BY p.id LIMIT ?${lock}`;
}

/** The pairs whose member row is updated, given that row whole (every column, for the after_hash, DESIGN.md §8). */
async function withWholeMemberRows(tx: Sql, pairs: readonly ClassifiedPair[]): Promise<ClassifiedPair[]> {
	const ids = pairs.filter(pair => pair.member && (pair.action === 'reactivate' || pair.action === 'update')).map(pair => pair.member!.id);
	if (ids.length === 0) {
		return [...pairs];
	}

	const rows = await rowsById(tx, 'community_members', ids);
	return pairs.map(pair => {
		if (!pair.member || (pair.action !== 'reactivate' && pair.action !== 'update')) {
			return pair;
		}

		const row = rows.get(pair.member.id);
		if (!row) {
			throw new Error(`Member row #${pair.member.id} (community ${pair.communityId}, user ${pair.userId}) was not found again in its own batch.`);
		}

		return {...pair, member: {...pair.member, row}};
	});
}

/**
 * One batch: the next `limit` pairs after `after` (keys relative to the work table's base id), classified against
 * their member rows and written set-based. The pairs stay until the run finishes (the cursor already says which are
 * done): deleting them batch by batch cost a statement per batch and bought nothing.
 */
async function runPairBatch(tx: Sql, runId: string, base: number, range: {after: number; limit: number; upperBound: number}, stamp: Stamp, record: (statement: string, parameters: readonly unknown[]) => void) {
	const statement = pairBatchStatement(tx.dialect);
	const parameters = [runId, base + range.after, base + range.upperBound, range.limit];
	record(statement, parameters);
	const rows = await tx.all<Record<string, unknown>>(statement, parameters);
	const pairs = await withWholeMemberRows(tx, rows.map(toClassifiedPair));
	const lastId = rows.length < range.limit ? base + range.upperBound : Number(rows.at(-1)!.pair_id);
	let metrics: Record<string, number> = {};
	for (const pair of pairs) {
		metrics = addMetrics(metrics, metricsOf(pair.action, 1, pair.enrollmentCount));
	}

	const {undo, written} = await writeMembers(tx, pairs, stamp, async () => {
		const members = await tx.all<{id: unknown; community_id: unknown; user_id: unknown}>(
			`SELECT m.id, m.community_id, m.user_id FROM ${pairsTable} p JOIN community_members m ON m.community_id = p.community_id AND m.user_id = p.user_id WHERE p.run_id = ? AND p.id > ? AND p.id <= ?`,
			[runId, base + range.after, lastId],
		);
		return new Map(members.map(member => [`${Number(member.community_id)}:${Number(member.user_id)}`, Number(member.id)]));
	});
	return {pairs, lastKey: lastId - base, written, metrics, undo};
}
