import {headline} from './labels.js';
import {databaseOf, type EvidenceContent, runIdOf, snapshotPairs} from './read-folder.js';
import {formatDuration, integrityLine, type StepView} from './step-view.js';
import {throughputChart} from './throughput-chart.js';

// One self-contained HTML file: inline CSS, no scripts, no network; the Markdown's content plus a per-batch
// throughput chart (inline SVG) for every step that ran batches.

const style = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2937;margin:24px auto;max-width:1040px;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #e5e7eb;padding-bottom:4px;margin-top:32px}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #d1d5db;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f4f6}
.num{display:block;text-align:right;font-variant-numeric:tabular-nums}pre{background:#f8fafc;border:1px solid #e5e7eb;padding:8px;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}.status{font-weight:600;padding:1px 6px;border-radius:4px}
.succeeded,.ok{background:#dcfce7;color:#166534}.failed,.bad{background:#fee2e2;color:#991b1b}.skipped,.pending,.unknown{background:#f3f4f6;color:#374151}.aborted{background:#fef3c7;color:#92400e}
.chart{border:1px solid #e5e7eb;background:#fff;max-width:960px}.chart .grid{stroke:#e5e7eb}.chart .axis{stroke:#6b7280}.chart .tick{font-size:11px;fill:#4b5563}.chart .label{font-size:12px;fill:#111827}
@media print{pre{white-space:pre-wrap}}`;

export function renderHtml(content: EvidenceContent): string {
	const manifest = content.manifest;
	const integrity = `<span class="status ${content.integrity.ok ? 'ok' : 'bad'}">${escapeHtml(integrityLine(content.integrity))}</span>`;
	const body = [
		`<h1>Stage-11 runbook evidence — run ${escapeHtml(runIdOf(content))}</h1>`,
		tableHtml(['Field', 'Value'], [
			['Run id', escapeHtml(runIdOf(content))],
			['Evidence folder', escapeHtml(content.folder)],
			['Database', escapeHtml(databaseOf(content))],
			['Tool version', escapeHtml(String(manifest?.tool_version ?? ''))],
			['Git commit', escapeHtml(String(manifest?.git_commit ?? 'unknown'))],
			['Command', `<code>${escapeHtml(String(manifest?.command ?? ''))}</code>`],
			['Started', escapeHtml(String(manifest?.created_at ?? content.events[0]?.at ?? ''))],
			['Finalized', escapeHtml(String(manifest?.finalized_at ?? 'not finalized'))],
			['Events', String(content.events.length)],
			['Evidence integrity', integrity],
		]),
		'<h2>Steps</h2>',
		content.steps.length === 0
			? '<p><em>No step records.</em></p>'
			: tableHtml(
					['#', 'Step', 'Title', 'Mode', 'Status', 'Decision', 'Started', 'Finished', 'Duration'],
					content.steps.map(step => [String(step.number), `<a href="#step-${step.number}">${escapeHtml(step.id)}</a>`, escapeHtml(step.title), escapeHtml(step.mode), statusHtml(step.status), escapeHtml(step.decision), escapeHtml(step.startedAt), escapeHtml(step.finishedAt), escapeHtml(formatDuration(step.durationMs))]),
				),
		...content.steps.map(step => stepHtml(content, step)),
		'<h2>Evidence integrity</h2>',
		`<p>${integrity}</p>`,
		content.integrity.problems.length > 0 ? `<ul>${content.integrity.problems.map(problem => `<li><code>${escapeHtml(problem.file)}</code>${problem.line === undefined ? '' : ` line ${problem.line}`}: ${escapeHtml(problem.problem)}</li>`).join('')}</ul>` : '',
	];
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Evidence ${escapeHtml(runIdOf(content))}</title>
<style>${style}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

function stepHtml(content: EvidenceContent, step: StepView): string {
	const parts = [
		`<h2 id="step-${step.number}">${step.number}. ${escapeHtml(step.id)}${step.title ? ` — ${escapeHtml(step.title)}` : ''}</h2>`,
		`<p>${statusHtml(step.status)}${step.decision ? ` · decision: ${escapeHtml(step.decision)}` : ''}${step.durationMs === null ? '' : ` · ${escapeHtml(formatDuration(step.durationMs))}`}</p>`,
	];
	if (Object.keys(step.params).length > 0) {
		parts.push(`<p>Parameters: <code>${escapeHtml(JSON.stringify(step.params))}</code></p>`);
	}

	if (Object.keys(step.metrics).length > 0) {
		parts.push('<h3>Metrics</h3>', tableHtml(['Metric', 'Key', 'Count'], Object.entries(step.metrics).map(([key, value]) => [escapeHtml(headline(key)), `<code>${escapeHtml(key)}</code>`, `<span class="num">${value}</span>`])));
	}

	if (step.drift.length > 0) {
		parts.push('<h3>Drift (dry run vs execution)</h3>', tableHtml(['Metric', 'Planned', 'Actual'], step.drift.map(entry => [escapeHtml(entry.metric), escapeHtml(String(entry.planned)), escapeHtml(String(entry.actual))])));
	}

	if (step.warnings.length > 0) {
		parts.push('<h3>Warnings</h3>', `<ul>${step.warnings.map(warning => `<li>${escapeHtml(warning)}</li>`).join('')}</ul>`);
	}

	if (step.error) {
		parts.push('<h3>Error</h3>', `<p class="status failed">Exit code ${escapeHtml(String(step.error.code))}: ${escapeHtml(step.error.message)}${step.error.hint ? ` — ${escapeHtml(step.error.hint)}` : ''}</p>`);
	}

	if (step.batches.length > 0) {
		parts.push(`<h3>Throughput per batch (${step.batches.length} batches)</h3>`, throughputChart(step.batches, escapeHtml));
	}

	if (step.mode === 'verify' || step.id === 'verify') {
		parts.push('<h3>Verification results</h3>', preHtml(JSON.stringify(step.details ?? {}, null, 2)));
	} else if (step.details && Object.keys(step.details).length > 0) {
		parts.push('<h3>Details</h3>', preHtml(JSON.stringify(step.details, null, 2)));
	}

	const pairs = snapshotPairs(content, step);
	if (pairs.length > 0) {
		parts.push('<h3>Table snapshots</h3>', tableHtml(['Table', 'Rows before', 'Rows after', 'Checksum'], pairs.map(pair => [escapeHtml(pair.table), String(pair.before?.rows ?? ''), String(pair.after?.rows ?? ''), pair.before && pair.after ? (pair.before.checksum === pair.after.checksum ? 'unchanged' : 'changed') : `<code>${escapeHtml((pair.after ?? pair.before)?.checksum.slice(0, 12) ?? '')}</code>`])));
	}

	if (step.samples.length > 0) {
		parts.push(`<h3>Samples (${Math.min(step.samples.length, 5)} of ${step.samples.length})</h3>`, preHtml(step.samples.slice(0, 5).map(sample => JSON.stringify(sample)).join('\n')));
	}

	if (step.sql.length > 0) {
		parts.push('<h3>SQL</h3>', ...step.sql.map(entry => preHtml(entry.statement) + (entry.parameters.length > 0 ? `<p>Parameters: <code>${escapeHtml(JSON.stringify(entry.parameters))}</code></p>` : '')));
	}

	return `<section>${parts.join('\n')}</section>`;
}

function tableHtml(head: string[], rows: string[][]): string {
	return `<table><thead><tr>${head.map(cell => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>${rows.map(row => `<tr>${row.map(cell => `<td>${cell}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function statusHtml(status: string): string {
	return `<span class="status ${escapeHtml(status.replaceAll(/[^\w-]/g, ''))}">${escapeHtml(status)}</span>`;
}

function preHtml(text: string): string {
	return `<pre><code>${escapeHtml(text)}</code></pre>`;
}

export function escapeHtml(text: string): string {
	return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}
