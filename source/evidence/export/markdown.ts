import {headline} from './labels.js';
import {databaseOf, type EvidenceContent, runIdOf, snapshotPairs} from './read-folder.js';
import {formatDuration, integrityLine, type StepView, throughput} from './step-view.js';

// Markdown for the change ticket: the run, its steps and decisions, metrics, the SQL each step ran, verification,
// drift, warnings and the integrity check of the evidence itself.

export function renderMarkdown(content: EvidenceContent): string {
	const manifest = content.manifest;
	const lines = [
		`# Stage-11 runbook evidence — run ${runIdOf(content)}`,
		'',
		table(
			['Field', 'Value'],
			[
				['Run id', runIdOf(content)],
				['Evidence folder', content.folder],
				['Database', databaseOf(content)],
				['Tool version', String(manifest?.tool_version ?? '')],
				['Git commit', String(manifest?.git_commit ?? 'unknown')],
				['Command', String(manifest?.command ?? '')],
				['Started', String(manifest?.created_at ?? content.events[0]?.at ?? '')],
				['Finalized', String(manifest?.finalized_at ?? 'not finalized')],
				['Events', String(content.events.length)],
				['Evidence integrity', integrityLine(content.integrity)],
			],
		),
		'',
		'## Steps',
		'',
		content.steps.length === 0
			? '_No step records._'
			: table(
					['#', 'Step', 'Title', 'Mode', 'Status', 'Decision', 'Started', 'Finished', 'Duration'],
					content.steps.map(step => [String(step.number), step.id, step.title, step.mode, step.status, step.decision, step.startedAt, step.finishedAt, formatDuration(step.durationMs)]),
				),
		'',
	];
	for (const step of content.steps) {
		lines.push(...stepSection(content, step));
	}

	lines.push('## Evidence integrity', '', integrityLine(content.integrity), '');
	for (const problem of content.integrity.problems) {
		lines.push(`- \`${problem.file}\`${problem.line === undefined ? '' : ` line ${problem.line}`}: ${problem.problem}`);
	}

	return lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

function stepSection(content: EvidenceContent, step: StepView): string[] {
	const lines = [`## ${step.number}. ${step.id}${step.title ? ` — ${step.title}` : ''}`, '', `Status: **${step.status}**${step.decision ? ` · decision: ${step.decision}` : ''}${step.durationMs === null ? '' : ` · ${formatDuration(step.durationMs)}`}`, ''];
	if (Object.keys(step.params).length > 0) {
		lines.push(`Parameters: \`${JSON.stringify(step.params)}\``, '');
	}

	if (Object.keys(step.metrics).length > 0) {
		lines.push('### Metrics', '', table(['Metric', 'Key', 'Count'], Object.entries(step.metrics).map(([key, value]) => [headline(key), `\`${key}\``, String(value)])), '');
	}

	if (step.drift.length > 0) {
		lines.push('### Drift (dry run vs execution)', '', table(['Metric', 'Planned', 'Actual'], step.drift.map(entry => [entry.metric, String(entry.planned), String(entry.actual)])), '');
	}

	if (step.warnings.length > 0) {
		lines.push('### Warnings', '', ...step.warnings.map(warning => `- ${escapeCell(warning)}`), '');
	}

	if (step.error) {
		lines.push('### Error', '', `Exit code ${String(step.error.code)}: ${step.error.message}${step.error.hint ? ` — ${step.error.hint}` : ''}`, '');
	}

	if (step.batches.length > 0) {
		const rows = step.batches.reduce((sum, batch) => sum + batch.rows, 0);
		const time = step.batches.reduce((sum, batch) => sum + batch.durationMs, 0);
		const rates = step.batches.map(batch => throughput(batch));
		lines.push(`Batches: ${step.batches.length}, ${rows} rows in ${formatDuration(time)}; throughput min ${Math.round(Math.min(...rates))} / max ${Math.round(Math.max(...rates))} rows/s.`, '');
	}

	if (step.mode === 'verify' || step.id === 'verify') {
		lines.push('### Verification results', '', fence('json', JSON.stringify(step.details ?? {}, null, 2)), '');
	} else if (step.details && Object.keys(step.details).length > 0) {
		lines.push('### Details', '', fence('json', JSON.stringify(step.details, null, 2)), '');
	}

	const pairs = snapshotPairs(content, step);
	if (pairs.length > 0) {
		lines.push('### Table snapshots', '', table(['Table', 'Rows before', 'Rows after', 'Checksum'], pairs.map(pair => [pair.table, String(pair.before?.rows ?? ''), String(pair.after?.rows ?? ''), pair.before && pair.after ? (pair.before.checksum === pair.after.checksum ? 'unchanged' : 'changed') : short(pair.after?.checksum ?? pair.before?.checksum)])), '');
	}

	if (step.samples.length > 0) {
		lines.push(`### Samples (${Math.min(step.samples.length, 5)} of ${step.samples.length})`, '', fence('json', step.samples.slice(0, 5).map(sample => JSON.stringify(sample)).join('\n')), '');
	}

	if (step.sql.length > 0) {
		lines.push('### SQL', '');
		for (const entry of step.sql) {
			lines.push(fence('sql', entry.statement), ...(entry.parameters.length > 0 ? [`Parameters: \`${JSON.stringify(entry.parameters)}\``] : []), '');
		}
	}

	return lines;
}

function table(head: string[], rows: string[][]): string {
	const line = (cells: string[]) => `| ${cells.map(cell => escapeCell(cell)).join(' | ')} |`;
	return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(row => line(row))].join('\n');
}

function escapeCell(text: string): string {
	return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function fence(language: string, body: string): string {
	const ticks = body.includes('```') ? '~~~~' : '```';
	return `${ticks}${language}\n${body}\n${ticks}`;
}

function short(checksum: string | undefined): string {
	return checksum ? checksum.slice(0, 12) : '';
}
