import {Text} from 'ink';
import {useTint} from '../color.js';
import {describeFigures, formatDuration, pickKeyFigures} from '../format.js';
import type {HistoryEntry} from '../run-state.js';

type Properties = {readonly entry: HistoryEntry};

const symbols: Record<HistoryEntry['kind'], {readonly symbol: string; readonly color: string}> = {
	succeeded: {symbol: '✔', color: 'green'},
	earlier: {symbol: '✔', color: 'green'},
	skipped: {symbol: '⊘', color: 'yellow'},
	failed: {symbol: '✖', color: 'red'},
	aborted: {symbol: '⏹', color: 'red'},
	warning: {symbol: '⚠', color: 'yellow'},
	rollback: {symbol: '↺', color: 'magenta'},
};

/** One finished step (or warning) in the history above the live area; drawn once, inside <Static>. */
export function HistoryLine({entry}: Properties) {
	const tint = useTint();
	const {symbol, color} = symbols[entry.kind];
	const name = entry.number === null ? entry.title : `${entry.number}. ${entry.title}`;
	return (
		<Text>
			<Text color={tint(color)}>{symbol}</Text> {name ? <Text bold>{name}</Text> : null}
			{name ? ' — ' : ''}
			{describe(entry)}
		</Text>
	);
}

export function describe(entry: HistoryEntry): string {
	switch (entry.kind) {
		case 'succeeded':
		case 'earlier': {
			const figures = describeFigures(pickKeyFigures(entry.metrics ?? {}, entry.keyMetrics));
			const when = entry.kind === 'earlier' ? 'done in an earlier session' : `done in ${formatDuration(entry.durationMs ?? 0)}`;
			return figures ? `${when} · ${figures}` : when;
		}

		case 'skipped': {
			return `skipped: ${entry.reason ?? 'no reason given'}`;
		}

		case 'failed':
		case 'aborted': {
			const error = entry.error;
			const what = entry.kind === 'aborted' ? 'aborted, resumable' : 'failed';
			return error ? `${what} (exit ${error.code}): ${error.message}${error.hint ? ` Hint: ${error.hint}` : ''}` : what;
		}

		case 'warning': {
			return `warning: ${entry.message ?? ''}`;
		}

		case 'rollback': {
			return entry.message ?? 'rolling back';
		}
	}
}
