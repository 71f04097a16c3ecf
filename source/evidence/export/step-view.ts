// A step record as the engine wrote it, read tolerantly (any field may be missing) into what the exports show.

export type BatchView = {seq: number; source: string; rows: number; durationMs: number; batchSize: number};
export type SqlView = {statement: string; parameters: unknown[]};

export type StepView = {
	file: string;
	id: string;
	number: number;
	title: string;
	job: string;
	mode: string;
	status: string;
	decision: string;
	startedAt: string;
	finishedAt: string;
	durationMs: number | null;
	params: Record<string, unknown>;
	metrics: Record<string, number>;
	drift: Array<{metric: string; planned: unknown; actual: unknown}>;
	warnings: string[];
	samples: unknown[];
	sql: SqlView[];
	batches: BatchView[];
	error: {code: unknown; message: string; hint: string} | null;
	details: Record<string, unknown> | null;
	record: Record<string, unknown>;
};

export function viewStep(file: string, record: Record<string, unknown>): StepView {
	const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
	const object = (value: unknown) => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null);
	const list = (value: unknown) => (Array.isArray(value) ? (value as unknown[]) : []);
	const decision = object(record.decision);
	const error = object(record.error);
	const fromName = /^steps\/(\d+)-(.+)\.json$/.exec(file);
	return {
		file,
		id: text(record.step) || (fromName?.[2] ?? file),
		number: Number(record.number ?? fromName?.[1] ?? 0),
		title: text(record.title),
		job: text(record.job),
		mode: text(record.mode),
		status: text(record.status) || 'unknown',
		decision: decision ? [text(decision.by), text(decision.answer)].filter(Boolean).join(': ') + (decision.at ? ` (${text(decision.at)})` : '') : '',
		startedAt: text(record.started_at),
		finishedAt: text(record.finished_at),
		durationMs: typeof record.duration_ms === 'number' ? record.duration_ms : null,
		params: object(record.params) ?? {},
		metrics: Object.fromEntries(Object.entries(object(record.metrics) ?? {}).map(([key, value]) => [key, Number(value)])),
		drift: Object.entries(object(record.drift) ?? {}).map(([metric, pair]) => ({metric, planned: list(pair)[0], actual: list(pair)[1]})),
		warnings: list(record.warnings).map(warning => (typeof warning === 'string' ? warning : JSON.stringify(warning))),
		samples: list(record.samples),
		sql: list(record.sql).map(entry => {
			const item = object(entry);
			return {statement: item ? text(item.statement) : text(entry), parameters: item ? list(item.parameters) : []};
		}),
		batches: list(record.batches)
			.map(entry => object(entry) ?? {})
			.map((batch, index) => ({seq: Number(batch.seq ?? index + 1), source: text(batch.source), rows: Number(batch.rows ?? 0), durationMs: Number(batch.durationMs ?? batch.duration_ms ?? 0), batchSize: Number(batch.batchSize ?? batch.batch_size ?? 0)})),
		error: error ? {code: error.code, message: text(error.message), hint: text(error.hint)} : null,
		details: object(record.details),
		record,
	};
}

export function formatDuration(ms: number | null): string {
	if (ms === null || !Number.isFinite(ms)) {
		return '';
	}

	return ms < 1000 ? `${Math.round(ms)} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** rows/s of a batch (0 when its duration is unknown). */
export function throughput(batch: BatchView): number {
	return batch.durationMs > 0 ? (batch.rows * 1000) / batch.durationMs : 0;
}

export function integrityLine(check: {ok: boolean; files: number; events: number; problems: Array<{file: string; line?: number; problem: string}>}): string {
	if (check.ok) {
		return `intact (${check.files} files, ${check.events} events; chain and every hash re-checked)`;
	}

	const first = check.problems[0]!;
	return `TAMPERED or incomplete: ${check.problems.length} problem(s), first: ${first.file}${first.line === undefined ? '' : ` line ${first.line}`}: ${first.problem}`;
}
