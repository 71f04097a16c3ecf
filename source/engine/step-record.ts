import type {RunbookError} from '../core/errors.js';
import {isoSeconds} from '../core/timestamps.js';
import type {Drift} from './drift.js';
import type {PlatformSettings} from '../core/platform-settings.js';
import type {DatabaseFingerprint} from '../db/fingerprint.js';
import type {JobMode, JobResult} from './job.js';
import type {PlannedRun} from './ports.js';

export type StepRef = {readonly number: number; readonly id: string; readonly title: string};

/** The step's evidence record, `steps/<nn>-<step-id>.json` (DESIGN.md §9). */
export function stepRecord(input: {
	readonly request: {
		readonly step: StepRef;
		readonly job: {readonly name: string};
		readonly mode: JobMode;
		readonly decision: {readonly by: string; readonly answer: string};
		readonly fingerprint: DatabaseFingerprint;
		readonly session?: {readonly runId: string} | undefined;
		readonly platform: PlatformSettings;
	};
	readonly params: unknown;
	readonly semanticHash: string;
	readonly runId: string;
	readonly resumed: boolean;
	readonly status: 'succeeded' | 'failed' | 'aborted';
	readonly metrics: Readonly<Record<string, number>>;
	readonly drift: Drift | null;
	readonly planned: PlannedRun | undefined;
	readonly result: JobResult | undefined;
	readonly warnings: readonly string[];
	readonly sqlLog: ReadonlyArray<{readonly statement: string; readonly parameters: readonly unknown[]}>;
	readonly started: Date;
	readonly finished: Date;
	readonly failure: RunbookError | undefined;
}): Record<string, unknown> {
	const {request, result, failure} = input;
	return {
		step: request.step.id,
		number: request.step.number,
		title: request.step.title,
		job: request.job.name,
		mode: request.mode,
		status: input.status,
		// The job's writes completed (also when drift was then refused): this execution consumes the dry run before it.
		work_done: request.mode !== 'dry-run' && result !== undefined && (!failure || failure.concluded),
		decision: {...request.decision, at: isoSeconds(input.started)},
		run_id: input.runId,
		parent_run_id: request.session?.runId ?? null,
		resumed: input.resumed,
		params: input.params,
		semantic_hash: input.semanticHash,
		database: request.fingerprint,
		// The clock every timestamp of the step was written and compared in (DESIGN.md §2); never the key.
		time_zone: request.platform.timeZone,
		encrypted_attributes: request.platform.encryptedAttributes,
		dry_run: request.mode === 'execute' ? (input.planned ? {run_id: input.planned.runId, file: input.planned.file, finished_at: input.planned.finishedAt} : null) : undefined,
		drift_check:
			request.mode === 'execute'
				? input.planned
					? `compared with dry run ${input.planned.runId} before the first write and at the end`
					: 'no dry run of these parameters since the last execution: not compared'
				: undefined,
		metrics: input.metrics,
		drift: input.drift,
		resolved: result?.resolved ?? {},
		warnings: [...input.warnings, ...(result?.warnings ?? [])],
		samples: result?.samples ?? [],
		sql: input.sqlLog,
		batches: result?.batches ?? [],
		details: result?.details ?? {},
		started_at: input.started.toISOString(),
		finished_at: input.finished.toISOString(),
		duration_ms: input.finished.getTime() - input.started.getTime(),
		error: failure ? {code: failure.exitCode, message: failure.message, hint: failure.hint ?? null} : null,
	};
}
