import {type BatchView, throughput} from './step-view.js';

// Per-batch throughput (rows/s) as inline SVG: one <rect class="bar"> per batch, coloured by source. No scripts,
// no external resources; each bar carries a <title> tooltip.

const palette = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2'];
const width = 960;
const height = 280;
const margin = {top: 30, right: 16, bottom: 44, left: 72};

export function throughputChart(batches: readonly BatchView[], escape: (text: string) => string): string {
	const plotWidth = width - margin.left - margin.right;
	const plotHeight = height - margin.top - margin.bottom;
	const rates = batches.map(batch => throughput(batch));
	const top = niceMax(Math.max(1, ...rates));
	const sources = [...new Set(batches.map(batch => batch.source))];
	const slot = plotWidth / Math.max(1, batches.length);
	const gap = slot > 4 ? Math.min(2, slot * 0.15) : 0;
	const y = (value: number) => margin.top + plotHeight - (value / top) * plotHeight;
	const parts: string[] = [];
	for (let tick = 0; tick <= 4; tick++) {
		const value = (top * tick) / 4;
		parts.push(
			`<line x1="${margin.left}" x2="${width - margin.right}" y1="${fixed(y(value))}" y2="${fixed(y(value))}" class="grid"/>`,
			`<text x="${margin.left - 8}" y="${fixed(y(value) + 4)}" text-anchor="end" class="tick">${formatRate(value)}</text>`,
		);
	}

	for (const [index, batch] of batches.entries()) {
		const rate = rates[index]!;
		const x = margin.left + index * slot + gap / 2;
		const colour = palette[sources.indexOf(batch.source) % palette.length];
		const tip = `batch ${batch.seq}${batch.source ? ` (${batch.source})` : ''}: ${batch.rows} rows in ${batch.durationMs} ms, batch size ${batch.batchSize} → ${Math.round(rate)} rows/s`;
		parts.push(`<rect class="bar" data-seq="${batch.seq}" x="${fixed(x)}" y="${fixed(y(rate))}" width="${fixed(Math.max(0.5, slot - gap))}" height="${fixed(Math.max(0, margin.top + plotHeight - y(rate)))}" fill="${colour}"><title>${escape(tip)}</title></rect>`);
	}

	const first = batches[0]?.seq ?? 1;
	const last = batches.at(-1)?.seq ?? 1;
	parts.push(
		`<line x1="${margin.left}" x2="${width - margin.right}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight}" class="axis"/>`,
		`<text x="${margin.left}" y="${height - 24}" class="tick">${first}</text>`,
		`<text x="${width - margin.right}" y="${height - 24}" text-anchor="end" class="tick">${last}</text>`,
		`<text x="${margin.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle" class="label">batch (${batches.length})</text>`,
		`<text x="14" y="${margin.top + plotHeight / 2}" text-anchor="middle" class="label" transform="rotate(-90 14 ${margin.top + plotHeight / 2})">rows/s</text>`,
	);
	for (const [index, source] of sources.entries()) {
		const x = margin.left + 8 + index * 170;
		parts.push(`<rect x="${x}" y="8" width="10" height="10" fill="${palette[index % palette.length]}"/><text x="${x + 14}" y="17" class="tick">${escape(source || 'batches')}</text>`);
	}

	return `<svg role="img" aria-label="Throughput per batch (rows/s)" viewBox="0 0 ${width} ${height}" width="100%" class="chart">${parts.join('')}</svg>`;
}

function niceMax(value: number): number {
	const power = 10 ** Math.floor(Math.log10(value));
	const step = [1, 2, 2.5, 5, 10].find(candidate => candidate * power >= value) ?? 10;
	return step * power;
}

function formatRate(value: number): string {
	return value >= 10_000 ? `${Math.round(value / 1000)}k` : value >= 1000 ? `${(value / 1000).toFixed(1)}k` : String(Math.round(value));
}

function fixed(value: number): string {
	return String(Math.round(value * 100) / 100);
}
