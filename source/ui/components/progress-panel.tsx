import {Box, Text} from 'ink';
import {memo} from 'react';
import type {Progress} from '../../engine/progress.js';
import {useTint} from '../color.js';
import {formatCount, formatDuration, truncate} from '../format.js';
import type {ThrottleView} from '../run-state.js';
import {BusyIndicator} from './busy-indicator.js';
import {ElapsedTime} from './elapsed-time.js';
import {ProgressBar} from './progress-bar.js';

type Properties = {
	readonly number: number;
	readonly title: string;
	readonly progress: Progress | null;
	readonly throttle: ThrottleView | null;
	readonly width: number;
};

/**
 * The running step: spinner, bar, rows/s, ETA, batch, elapsed time and why it waits when throttled. The spinner and
 * the elapsed clock tick in components of their own, so this panel renders only when its props change.
 */
export const ProgressPanel = memo(function ProgressPanel({number, title, progress, throttle, width}: Properties) {
	const tint = useTint();
	const batch = progress ? ` — batch ${formatCount(progress.batch)} · ${formatCount(progress.batchSize)} rows per batch` : ' — running';
	const rate = progress ? `${formatCount(progress.rowsPerSecond)} rows/s · ETA ${progress.etaMs === null ? 'unknown' : formatDuration(progress.etaMs)} · ` : '';
	return (
		<Box flexDirection="column" width={width}>
			<Text wrap="truncate-end">
				<BusyIndicator /> {truncate(`${number}. ${title}${batch}`, width - 2)}
			</Text>
			{progress ? <Rows progress={progress} width={width} /> : null}
			<Text wrap="truncate-end">
				{rate}elapsed <ElapsedTime reportedMs={progress?.elapsedMs ?? 0} />
			</Text>
			{throttle ? (
				<Text color={tint('yellow')} wrap="truncate-end">
					{truncate(`⏸ Throttled, waiting${throttle.waitMs === null ? '' : ` ${formatDuration(throttle.waitMs)}`}: ${throttle.reason}`, width)}
				</Text>
			) : null}
		</Box>
	);
});

function Rows({progress, width}: {readonly progress: Progress; readonly width: number}) {
	const {rowsScanned, rowsTotal, source} = progress;
	if (!rowsTotal) {
		return <Text wrap="truncate-end">{truncate(`${formatCount(rowsScanned)} ${source} rows scanned (total not known)`, width)}</Text>;
	}

	const counts = ` ${formatCount(rowsScanned)} / ${formatCount(rowsTotal)} ${source}`;
	const barWidth = Math.max(10, Math.min(60, width - counts.length));
	return (
		<Box width={width}>
			<ProgressBar ratio={rowsScanned / rowsTotal} width={barWidth} />
			<Text wrap="truncate-end">{truncate(counts, width - barWidth)}</Text>
		</Box>
	);
}
