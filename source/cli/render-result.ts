import Table from 'cli-table3';
import type {CommandResult} from './command.js';

export type ResultDocument = Record<string, unknown>;

/** "members_created" → "Members Created". */
export function headline(key: string): string {
	return key
		.split('_')
		.map(word => (word === '' ? word : word[0]!.toUpperCase() + word.slice(1)))
		.join(' ');
}

export function renderTable(result: CommandResult, document: ResultDocument): string {
	const lines: string[] = [];
	const metrics = result.metrics ?? {};
	if (Object.keys(metrics).length > 0) {
		const table = new Table({head: ['Metric', 'Count'], style: {head: [], border: []}, colAligns: ['left', 'right']});
		for (const [key, value] of Object.entries(metrics)) {
			table.push([headline(key), String(value)]);
		}

		lines.push(table.toString());
	}

	lines.push(...(result.lines ?? []));
	lines.push(...footer(document));
	return lines.join('\n') + '\n';
}

export function renderPlain(result: CommandResult, document: ResultDocument): string {
	const lines = [`command=${String(document.command)} status=${result.status}${document.run_id ? ` run_id=${String(document.run_id)}` : ''}`];
	for (const [key, value] of Object.entries(result.metrics ?? {})) {
		lines.push(`${key}=${value}`);
	}

	lines.push(...(result.lines ?? []));
	if (result.evidence_dir) {
		lines.push(`evidence_dir=${result.evidence_dir}`);
	}

	return lines.join('\n') + '\n';
}

function footer(document: ResultDocument): string[] {
	const lines: string[] = [];
	if (document.drift) {
		for (const [metric, [planned, actual]] of Object.entries(document.drift as Record<string, [number, number]>)) {
			lines.push(`Drift: ${headline(metric)} planned ${planned}, actual ${actual}`);
		}
	}

	if (document.run_id) {
		lines.push(`Run: ${String(document.run_id)}${document.dry_run ? ' (dry run, nothing written)' : ''}`);
	}

	if (document.evidence_dir) {
		lines.push(`Evidence: ${String(document.evidence_dir)}`);
	}

	return lines;
}
