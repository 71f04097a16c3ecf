import {z} from 'zod';
import {describeTarget, emptyRollbackMetrics, findRollbackTarget, nextRollbackRunId, rollbackFailure, rollbackRun, rollbackRuns, undoScope} from '../../engine/rollback.js';
import {sessionRunsToUndo} from '../../engine/rollback-session.js';
import {EvidenceFolder} from '../../evidence/evidence-folder.js';
import {asDatabaseUnreachable} from '../../db/connection-errors.js';
import type {CommandResult, CommandSpec} from '../command.js';
import {evidencePorts, openJobSession, processIdentity, toolVersion} from '../job-session.js';

const schema = z.object({
	run: z.string().trim().min(1, '--run needs a run id').optional(),
	overwriteConflicts: z.boolean().default(false),
});

type Options = z.infer<typeof schema>;

/**
 * `rollback [--run=<run id>] [--overwrite-conflicts]` (DESIGN.md §8, §10): undoes exactly what one execute run did,
 * newest first. Without --run, the newest execute run with undo rows not yet undone — and when that run (or --run)
 * belongs to a runbook session, every job run of that session, newest first. Conflicts left → exit 5.
 */
export const rollbackCommand: CommandSpec<Options> = {
	name: 'rollback',
	summary: 'Undo exactly what a run changed, newest first',
	options: [
		['--run <run id>', 'the run to undo (default: the newest)'],
		['--overwrite-conflicts', 'also restore rows changed since the run'],
	],
	schema,
	async run(context, options): Promise<CommandResult> {
		const session = await openJobSession(context);
		const stderr = (line: string) => context.terminal.stderr.write(`${line}\n`);
		let folder: EvidenceFolder | undefined;
		try {
			const {database} = session;
			const target = await findRollbackTarget(database.sql, options.run);
			const sessionScope = target ? await sessionRunsToUndo(database.sql, target) : undefined;
			if (sessionScope && sessionScope.runIds.length > 0) {
				return await rollbackSession(sessionScope);
			}

			const params = {run: target?.runId ?? options.run ?? null, overwrite_conflicts: options.overwriteConflicts};
			const scope = target ? await undoScope(database.sql, target.runId) : undefined;
			if (!target || !scope || scope.pending === 0) {
				const line = target
					? `Nothing to undo: run ${target.runId} (${target.job}) ${scope && scope.total > 0 ? 'is already rolled back' : 'changed nothing'}.`
					: 'Nothing to undo: no execute run has changes left to roll back.';
				if (target && scope && scope.total > 0) {
					// Marks a fully undone run rolled-back if an interrupted rollback could not.
					await rollbackRun({...ports(), runId: target.runId});
				}

				stderr(line);
				return {status: 'succeeded', run_id: null, params, metrics: emptyRollbackMetrics(), lines: [line], extra: {target_run: target?.runId ?? null, rollback_run: null, conflicts: []}};
			}

			const headline = describeTarget(target);
			const announcement = `${headline}: ${scope.pending} change${scope.pending === 1 ? '' : 's'} to undo in ${[...scope.tables, ...scope.files].join(', ')}.`;
			stderr(announcement);
			const rollbackRunId = await nextRollbackRunId(database.sql, target.runId);
			folder = await EvidenceFolder.create(context.evidenceRoot, rollbackRunId, {tool_version: toolVersion, database: session.fingerprint, command: 'rollback'});
			await folder.appendEvent({step: 'rollback', type: 'rollback-target', data: {target_run: target.runId, job: target.job, started_at: target.startedAt, status: target.status, pending: scope.pending, tables: scope.tables, files: scope.files}});
			const result = await rollbackRun({
				...ports(),
				runId: target.runId,
				rollbackRunId,
				evidence: {port: folder, step: {number: 1, id: 'rollback', title: 'Roll back a run'}, snapshot: async tables => evidencePorts.snapshot(database.sql, tables)},
			});
			const left = result.conflicts.filter(conflict => conflict.resolution === 'left');
			await folder.finalize({status: left.length > 0 ? 'failed' : 'succeeded'});
			if (left.length > 0) {
				throw rollbackFailure(result, {runId: result.rollbackRunId, evidenceDir: folder.dir});
			}

			const lines = [`${headline}.`, result.complete ? `Run ${target.runId} is now rolled-back.` : `Run ${target.runId} still has changes to undo.`];
			return {
				status: 'succeeded',
				run_id: result.rollbackRunId,
				params,
				metrics: result.metrics,
				warnings: result.warnings,
				evidence_dir: folder.dir,
				lines,
				extra: {target_run: target.runId, rollback_run: result.rollbackRunId, conflicts: result.conflicts},
			};
		} catch (error) {
			await folder?.finalize({status: 'failed'}).catch(() => undefined);
			throw Object.assign(asDatabaseUnreachable(error, session.database.target) as object, folder ? {evidenceDir: (error as {evidenceDir?: string}).evidenceDir ?? folder.dir} : {});
		} finally {
			await session.close();
		}

		/** Undoes every job run of one runbook session, newest first, as one rollback with one evidence folder. */
		async function rollbackSession(scope: {runbookRunId: string; runIds: string[]}): Promise<CommandResult> {
			const {database} = session;
			stderr(`Rolling back runbook run ${scope.runbookRunId}: ${scope.runIds.length} job run${scope.runIds.length === 1 ? '' : 's'} with changes to undo, newest first (${scope.runIds.join(', ')}).`);
			const rollbackRunId = await nextRollbackRunId(database.sql, scope.runIds[0]!);
			folder = await EvidenceFolder.create(context.evidenceRoot, rollbackRunId, {tool_version: toolVersion, database: session.fingerprint, command: 'rollback'});
			await folder.appendEvent({step: 'rollback', type: 'rollback-target', data: {runbook_run: scope.runbookRunId, target_runs: scope.runIds}});
			const result = await rollbackRuns({
				...ports(),
				runIds: scope.runIds,
				evidence: {port: folder, step: {number: 10, id: 'rollback', title: 'Roll back the runbook run'}, snapshot: async tables => evidencePorts.snapshot(database.sql, tables)},
			});
			const left = result.conflicts.filter(conflict => conflict.resolution === 'left');
			await folder.finalize({status: left.length > 0 ? 'failed' : 'succeeded'});
			if (left.length > 0) {
				throw rollbackFailure(result, {runId: result.runs.at(-1)?.rollbackRunId ?? null, evidenceDir: folder.dir});
			}

			return {
				status: 'succeeded',
				run_id: result.runs.at(-1)?.rollbackRunId ?? null,
				params: {run: scope.runbookRunId, overwrite_conflicts: options.overwriteConflicts},
				metrics: result.metrics,
				warnings: result.runs.flatMap(run => run.warnings),
				evidence_dir: folder.dir,
				lines: [`Rolled back runbook run ${scope.runbookRunId}: ${result.runs.map(run => `${run.target?.job ?? run.targetRunId} ${run.complete ? 'rolled-back' : 'partly undone'}`).join(', ')}.`],
				extra: {target_run: scope.runbookRunId, target_runs: scope.runIds, rollback_run: result.runs.at(-1)?.rollbackRunId ?? null, conflicts: result.conflicts},
			};
		}

		function ports() {
			return {
				database: session.database,
				appRoot: context.appRoot,
				overwriteConflicts: options.overwriteConflicts,
				signal: context.signal,
				clock: {now: () => new Date()},
				self: processIdentity,
				report: (progress: Parameters<Parameters<typeof rollbackRun>[0]['report']>[0]) => session.emit({type: 'step-progress', step: 'rollback', progress}),
				warn: (message: string) => session.emit({type: 'warning', step: 'rollback', message}),
				recordSql() {},
				breakLock: session.jobOptions.breakLock,
				codeVersion: `${toolVersion}/rollback`,
				crashAfterBatch: session.jobOptions.crashAfterBatch,
				emit: (event: {readonly type: string; readonly [key: string]: unknown}) => session.emit({...event, step: 'rollback'}),
			};
		}
	},
};
