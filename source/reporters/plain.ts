import type {AnyEvent} from '../engine/ports.js';
import type {Progress} from '../engine/progress.js';

type Write = (line: string) => void;

/** One stable, grep-able line per event; progress at most once a second per step (CI-safe logs). */
export function createPlainReporter(write: Write, now: () => number = Date.now): (event: AnyEvent) => void {
	const lastProgress = new Map<string, number>();
	return event => {
		if (event.type === 'step-progress') {
			const step = String(event.step);
			const at = now();
			if (at - (lastProgress.get(step) ?? 0) < 1000) {
				return;
			}

			lastProgress.set(step, at);
			write(formatProgress(step, (event as unknown as {progress: Progress}).progress));
			return;
		}

		const {type, step, ...rest} = event as Record<string, unknown>;
		const fields = Object.entries(rest)
			.filter(([, value]) => value !== undefined && typeof value !== 'function')
			.map(([key, value]) => `${key}=${typeof value === 'string' ? quote(value) : JSON.stringify(value)}`)
			.join(' ');
		write(`[${step ? String(step) : 'run'}] ${String(type)}${fields ? ` ${fields}` : ''}`);
	};
}

export function formatProgress(step: string, progress: Progress): string {
	const percent = progress.rowsTotal ? Math.min(100, Math.floor((progress.rowsScanned / progress.rowsTotal) * 100)) : null;
	const metrics = Object.entries(progress.metrics)
		.map(([key, value]) => `${key}=${value}`)
		.join(' ');
	const eta = progress.etaMs === null ? 'eta=?' : `eta=${Math.round(progress.etaMs / 1000)}s`;
	return `[${step}] progress batch=${progress.batch} rows=${progress.rowsScanned}/${progress.rowsTotal ?? '?'}${percent === null ? '' : ` (${percent}%)`} rate=${progress.rowsPerSecond}/s ${eta}${progress.throttle ? ` throttled=${quote(progress.throttle)}` : ''} ${metrics}`.trimEnd();
}

function quote(value: string): string {
	return /^[\w./:@-]+$/.test(value) ? value : JSON.stringify(value);
}
