import {Box, Text} from 'ink';
import Spinner from 'ink-spinner';
import {useEffect, useState} from 'react';
import type {Progress} from '../../engine/progress.js';
import {useTint} from '../color.js';
import {formatCount, formatDuration, truncate} from '../format.js';
import {ProgressBar} from './progress-bar.js';

type Properties = {
	readonly number: number;
	readonly title: string;
	readonly progress: Progress | null;
	readonly throttle: {readonly reason: string; readonly waitMs: number | null} | null;
	readonly width: number;
};

/** The running step: spinner, bar, rows/s, ETA, batch, elapsed time and why it waits when throttled. */
export function ProgressPanel({number, title, progress, throttle, width}: Properties) {
	const tint = useTint();
	const elapsed = useElapsed(progress?.elapsedMs ?? 0);
	const batch = progress ? ` — batch ${formatCount(progress.batch)} · ${formatCount(progress.batchSize)} rows per batch` : ' — running';
	const stats = progress
		? `${formatCount(progress.rowsPerSecond)} rows/s · ETA ${progress.etaMs === null ? 'unknown' : formatDuration(progress.etaMs)} · elapsed ${formatDuration(elapsed)}`
		: `elapsed ${formatDuration(elapsed)}`;
	return (
		<Box flexDirection="column" width={width}>
			<Text wrap="truncate-end">
				<Text color={tint('cyan')}><Spinner type="dots" /></Text> {truncate(`${number}. ${title}${batch}`, width - 2)}
			</Text>
			{progress ? <Rows progress={progress} width={width} /> : null}
			<Text wrap="truncate-end">{truncate(stats, width)}</Text>
			{throttle ? (
				<Text color={tint('yellow')} wrap="truncate-end">
					{truncate(`⏸ Throttled, waiting${throttle.waitMs === null ? '' : ` ${formatDuration(throttle.waitMs)}`}: ${throttle.reason}`, width)}
				</Text>
			) : null}
		</Box>
	);
}

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

/** Elapsed time that keeps ticking between batches (a slow batch must not look frozen). */
function useElapsed(reported: number): number {
	const [startedAt] = useState(() => Date.now());
	const [now, setNow] = useState(() => Date.now());
	useEffect(() => {
		const timer = setInterval(() => setNow(Date.now()), 1000);
		return () => clearInterval(timer);
	}, []);
	return Math.max(reported, now - startedAt);
}
