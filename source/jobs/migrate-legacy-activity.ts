import type {BatchSource} from '../engine/batch-runner.js';
import {isoSeconds} from '../core/timestamps.js';
import {platformTime} from './platform/local-time.js';
import {checkPlatformSchema} from './platform/schema-check.js';
import {loadCommunityLinks} from './classroom-links.js';
import type {CheckResult, Job, JobContext, JobResult} from '../engine/job.js';
import type {ActivityRow} from './legacy-activity/activity.js';
import type {FeedDuplicate} from './legacy-activity/duplicates.js';
import {certificatesSource, type CourseCommunities} from './legacy-activity/certificates.js';
import {commentsSource} from './legacy-activity/comments.js';
import {type LegacyActivityParams, legacyActivityParameters} from './legacy-activity/params.js';
import {postsSource} from './legacy-activity/posts.js';
import {resolveSince} from './legacy-activity/since.js';
import {type BatchRun, countSource, type LegacySource, maxId, metricNames, type Metrics, type ProcessedMetric, readBatch, type SourceName, zeroMetrics} from './legacy-activity/source.js';

// DESIGN.md §3.3: posts, comments and certificates into profile_activities, keyed by idempotency key, in keyset
// batches over each source's id up to a bound fixed at the start. The dry run walks the same batches through the same
// code without writing.

type Context = JobContext<LegacyActivityParams>;

/** What a run fixes at its start and keeps for a resume (runbook_runs.state). */
type WorkSet = {
	/** The since instant, ISO UTC ('2025-08-01T00:00:00Z'), or null for all rows. */
	readonly since: string | null;
	/** The same instant as the platform's wall clock ('YYYY-MM-DD HH:MM:SS' in its zone): what timestamps compare with. */
	readonly sinceLocal: string | null;
	readonly upperBounds: Readonly<Record<SourceName, number>>;
	/** [course id, community ids] of non-deleted communities, for certificates. */
	readonly links: ReadonlyArray<readonly [number, readonly number[]]>;
	/** Source rows passing each source's filters up to its bound: the *_processed figures the dry run must match. */
	readonly processed: Readonly<Record<ProcessedMetric, number>>;
};

const tablesRead = ['users', 'communities', 'community_posts', 'community_post_comments', 'certificates', 'profile_activities'];
const sampleLimit = 10;
/** Duplicates listed in the step's details (all of them are counted in records_duplicate). */
const duplicateListLimit = 50;

export const migrateLegacyActivity: Job<LegacyActivityParams> = {
	name: 'migrate-legacy-activity',
	resumable: true,
	parameters: legacyActivityParameters,
	// The operator's text, so a resume with the same flag matches; never the chunk size.
	semanticParams: params => ({since: params.since}),
	touches: ['profile_activities'],
	async check(context): Promise<CheckResult> {
		const checks = await checkPlatformSchema(context.database.sql, tablesRead);
		if (checks.find(check => check.name === 'table communities')?.ok) {
			const {unreadable} = await loadCommunityLinks(context.database.sql, {keys: context.platform.keys});
			checks.push({
				name: 'community settings',
				ok: unreadable.length === 0,
				detail:
					unreadable.length === 0
						? 'classroom links readable'
						: `classroom links unreadable, so course completions cannot be assigned: ${unreadable.map(entry => `${entry.slug} (id ${entry.communityId}): ${entry.reason}`).join('; ')}`,
			});
		}

		return {ok: checks.every(check => check.ok), checks};
	},
	async plan(context): Promise<JobResult> {
		return migrate(context, false);
	},
	async execute(context): Promise<JobResult> {
		return migrate(context, true);
	},
};

/** The dry run and the execution: the same batches through the same code; only the execution writes. */
async function migrate(context: Context, write: boolean): Promise<JobResult> {
	const work = await fixWorkSet(context);
	const samples: unknown[] = [];
	const duplicates: DuplicateEntry[] = [];
	const run: BatchRun = {since: work.sinceLocal, write, now: platformTime(context.platform, context.startedAt), onRows: collectSamples(samples, duplicates), record: recordOnce(context)};
	const sources = sourcesOf(work);
	const batchSources: BatchSource[] = sources.map(source => ({
		name: source.name,
		upperBound: work.upperBounds[source.name],
		total: work.processed[source.processedMetric],
		read: async (sql, range) => readBatch(sql, source, range, run),
	}));
	await context.workSetFixed(work.processed);
	const result = await context.runBatches(batchSources, {batchSize: context.params.chunk, initialMetrics: zeroMetrics()});
	return {metrics: ordered(result.metrics), samples, batches: result.batches, details: {...details(context, work), duplicates}, resolved: {sinceAt: work.since}};
}

/**
 * The work set: since resolved ONCE against the run's start, the id bound of each source and the course links. A
 * resume reads them from the checkpoint instead of recomputing (a relative since keeps its original instant).
 */
async function fixWorkSet(context: Context): Promise<WorkSet> {
	const saved = context.checkpoint?.state.work as WorkSet | undefined;
	if (saved) {
		return saved;
	}

	const sql = context.database.sql;
	const spec = context.params.sinceSpec;
	const zone = context.platform.timeZone.zone;
	const since = context.params.sinceAt ? isoSeconds(new Date(context.params.sinceAt)) : spec ? isoSeconds(resolveSince(spec, context.startedAt, zone)) : null;
	const sinceLocal = since === null ? null : platformTime(context.platform, new Date(since));
	const [posts, comments, certificates] = await Promise.all(['community_posts', 'community_post_comments', 'certificates'].map(async table => maxId(sql, table)));
	const {communities} = await loadCommunityLinks(sql, {keys: context.platform.keys});
	const byCourse = new Map<number, number[]>();
	for (const community of communities) {
		for (const entry of community.invalid) {
			context.warn(`Community ${community.slug} (id ${community.communityId}): classroom link ${JSON.stringify(entry.entry)} ignored, ${entry.reason}.`);
		}

		for (const link of community.links) {
			const list = byCourse.get(link.courseId) ?? [];
			if (!list.includes(link.communityId)) {
				list.push(link.communityId);
			}

			byCourse.set(link.courseId, list);
		}
	}

	const links = [...byCourse.entries()].sort(([a], [b]) => a - b).map(([course, ids]) => [course, ids.sort((a, b) => a - b)] as const);
	const upperBounds = {community_posts: posts!, community_post_comments: comments!, certificates: certificates!};
	const processed = {posts_processed: 0, comments_processed: 0, completions_processed: 0};
	for (const source of sourcesOf({since, sinceLocal, upperBounds, links, processed})) {
		processed[source.processedMetric] = await countSource(sql, source, upperBounds[source.name], sinceLocal);
	}

	const work: WorkSet = {since, sinceLocal, upperBounds, links, processed};
	await context.saveState({work, since});
	return work;
}

function sourcesOf(work: WorkSet): LegacySource[] {
	const links: CourseCommunities = new Map(work.links.map(([course, ids]) => [course, ids]));
	return [postsSource, commentsSource, certificatesSource(links)];
}

function ordered(metrics: Readonly<Record<string, number>>): Metrics {
	return Object.fromEntries(metricNames.map(name => [name, metrics[name] ?? 0])) as Metrics;
}

function details(context: Context, work: WorkSet): Record<string, unknown> {
	return {since: work.since, since_local: work.sinceLocal, time_zone: context.platform.timeZone.zone, since_input: context.params.since, upper_bounds: work.upperBounds, linked_courses: work.links.length};
}

/** A source row not migrated because the platform already shows its subject (evidence, DESIGN.md §3.3). */
type DuplicateEntry = {
	subject_type: string;
	subject_id: number;
	user_id: number;
	community_id: number | null;
	/** The key this job would have written. */
	idempotency_key: string;
	existing: FeedDuplicate['existing'];
};

function collectSamples(samples: unknown[], duplicates: DuplicateEntry[]): BatchRun['onRows'] {
	const take = (rows: readonly ActivityRow[], kind: string) => {
		for (const row of rows) {
			if (samples.length >= sampleLimit) {
				return;
			}

			samples.push({kind, idempotency_key: row.idempotency_key, activity_type: row.activity_type, subject_id: row.subject_id, user_id: row.user_id, community_id: row.community_id});
		}
	};

	return classified => {
		take(classified.created, 'created');
		take(classified.updated, 'updated');
		for (const {row, existing} of classified.duplicates) {
			const entry = {subject_type: row.subject_type, subject_id: row.subject_id, user_id: row.user_id, community_id: row.community_id, idempotency_key: row.idempotency_key, existing};
			if (duplicates.length < duplicateListLimit) {
				duplicates.push(entry);
			}

			if (samples.length < sampleLimit) {
				samples.push({kind: 'duplicate', ...entry});
			}
		}
	};
}

/**
 * Each statement shape once for the evidence, with its first parameters: a run has hundreds of batches, and a
 * multi-row statement is shown as its first tuple plus the row count.
 */
function recordOnce(context: Context): NonNullable<BatchRun['record']> {
	const seen = new Set<string>();
	return (statement, parameters) => {
		const shape = statement
			.replace(/\s+/g, ' ')
			.replace(/IN \((\?, )+\?\)/g, match => `IN (?, … ${match.split('?').length - 1} keys)`)
			.replace(/VALUES (\([?, ]+\))(, \1)+/g, (match, tuple: string) => `VALUES ${tuple}, … (${match.split('(').length - 1} rows)`);
		const key = shape.replace(/\d+ (keys|rows)\)/g, 'n $1)').replace(/LIMIT \d+/, 'LIMIT n');
		if (!seen.has(key)) {
			seen.add(key);
			context.recordSql(shape, parameters.length > 20 ? [...parameters.slice(0, 20), `… ${parameters.length - 20} more`] : parameters);
		}
	};
}
