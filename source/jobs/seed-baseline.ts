import {seedBaselineParameters} from './params/seed-baseline.js';
import type {Sql} from '../db/sql.js';
import type {UndoRow} from '../db/bookkeeping/undo-journal.js';
import {existingTables} from '../db/platform-schema.js';
import {afterHash, pickTracked} from '../engine/row-hash.js';
import {platformTime} from './platform/local-time.js';
import {categories, levels, pointsRules} from './baseline-data.js';
import type {CheckResult, Job, JobContext, JobResult} from '../engine/job.js';

type Metric = 'categories' | 'levels' | 'rules';

type Target = {
	readonly metric: Metric;
	readonly table: string;
	/** Natural-key lookup; global rows have community_id NULL, which unique indexes do not dedupe. */
	readonly where: string;
	readonly key: readonly unknown[];
	readonly values: Record<string, unknown>;
};

const targets: Target[] = [
	...categories.map(({slug, ...values}) => ({metric: 'categories' as const, table: 'community_categories', where: 'slug = ?', key: [slug], values: {slug, ...values, is_active: 1}})),
	...levels.map(({level, ...values}) => ({metric: 'levels' as const, table: 'community_levels', where: 'community_id IS NULL AND level = ?', key: [level], values: {community_id: null, level, ...values, is_active: 1}})),
	...pointsRules.map(({action, ...values}) => ({metric: 'rules' as const, table: 'community_points_rules', where: 'community_id IS NULL AND action = ?', key: [action], values: {community_id: null, action, ...values, is_active: 1}})),
];

const seededTables = ['community_categories', 'community_levels', 'community_points_rules'];

const metricNames = ['categories_created', 'categories_updated', 'levels_created', 'levels_updated', 'rules_created', 'rules_updated', 'records_unchanged'] as const;

type Change = {target: Target; kind: 'created' | 'updated' | 'unchanged'; existing?: Record<string, unknown>};

async function classify(sql: Sql): Promise<Change[]> {
	const changes: Change[] = [];
	for (const target of targets) {
		const columns = Object.keys(target.values);
		// Every column: the undo row's after_hash covers the whole row (DESIGN.md §8).
		const existing = await sql.get<Record<string, unknown>>(`SELECT * FROM ${target.table} WHERE ${target.where} ORDER BY id LIMIT 1`, target.key);
		if (!existing) {
			changes.push({target, kind: 'created'});
		} else {
			const differs = columns.some(column => String(existing[column] ?? '') !== String(target.values[column] ?? ''));
			changes.push({target, kind: differs ? 'updated' : 'unchanged', existing});
		}
	}

	return changes;
}

function countChanges(changes: Change[]): Record<string, number> {
	const metrics: Record<string, number> = Object.fromEntries(metricNames.map(name => [name, 0]));
	for (const change of changes) {
		const key = change.kind === 'unchanged' ? 'records_unchanged' : `${change.target.metric}_${change.kind}`;
		metrics[key]!++;
	}

	return metrics;
}

export const seedBaseline: Job<{force: boolean}> = {
	name: 'seed-baseline',
	parameters: seedBaselineParameters,
	semanticParams: () => ({}),
	touches: seededTables,
	async check(context): Promise<CheckResult> {
		const tables = await existingTables(context.database.sql);
		const checks = seededTables.map(table => ({name: `table ${table}`, ok: tables.has(table), detail: tables.has(table) ? 'present' : 'missing (the platform migrations have not run)'}));
		return {ok: checks.every(check => check.ok), checks};
	},
	async plan(context): Promise<JobResult> {
		const changes = await classify(context.database.sql);
		return {metrics: countChanges(changes), samples: changes.filter(change => change.kind !== 'unchanged').map(change => ({table: change.target.table, key: change.target.key, kind: change.kind}))};
	},
	async execute(context: JobContext<{force: boolean}>): Promise<JobResult> {
		// Fifteen rows: one transaction, natural-key upserts, each change in the undo log with the row it replaced.
		return context.commit(async tx => {
			const changes = await classify(tx);
			const now = platformTime(context.platform, context.startedAt);
			const undo: UndoRow[] = [];
			for (const change of changes) {
				const {table, values} = change.target;
				if (change.kind === 'created') {
					const columns = [...Object.keys(values), 'created_at', 'updated_at'];
					const statement = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
					const result = await tx.run(statement, [...Object.values(values), now, now]);
					context.recordSql(statement, [...Object.values(values), now, now]);
					undo.push({table, rowId: result.insertId, action: 'insert', afterHash: await afterHash(tx, table, {id: result.insertId, written: {...values, created_at: now, updated_at: now}})});
				} else if (change.kind === 'updated') {
					const existing = change.existing!;
					const assignments = Object.keys(values).map(column => `${column} = ?`);
					const statement = `UPDATE ${table} SET ${assignments.join(', ')}, updated_at = ? WHERE id = ?`;
					await tx.run(statement, [...Object.values(values), now, existing.id]);
					context.recordSql(statement, [...Object.values(values), now, existing.id]);
					// updated_at too, so a rollback restores the row byte for byte.
					undo.push({table, rowId: Number(existing.id), action: 'update', before: {...pickTracked(table, existing), updated_at: existing.updated_at ?? null}, afterHash: await afterHash(tx, table, {id: Number(existing.id), before: existing, written: {...values, updated_at: now}})});
				}
			}

			const metrics = countChanges(changes);
			const value = {metrics, samples: changes.filter(change => change.kind !== 'unchanged').map(change => ({table: change.target.table, key: change.target.key, kind: change.kind}))};
			return {value, metrics, undo};
		});
	},
};
