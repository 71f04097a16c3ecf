import {Box, Text} from 'ink';
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
	const {elapsed, frame} = useHeartbeat(progress?.elapsedMs ?? 0);
	const batch = progress ? ` — batch ${formatCount(progress.batch)} · ${formatCount(progress.batchSize)} rows per batch` : ' — running';
	const stats = progress
		? `${formatCount(progress.rowsPerSecond)} rows/s · ETA ${progress.etaMs === null ? 'unknown' : formatDuration(progress.etaMs)} · elapsed ${formatDuration(elapsed)}`
		: `elapsed ${formatDuration(elapsed)}`;
	return (
		<Box flexDirection="column" width={width}>
			<Text wrap="truncate-end">
				<Text color={tint('cyan')}>{frame}</Text> {truncate(`${number}. ${title}${batch}`, width - 2)}
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

const spinner = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Spinner frame and elapsed time from one clock. Progress already redraws the panel a few times a second; the timer
 * only fires when nothing else did for 250 ms (a slow batch or a throttle wait must not look frozen). One commit
 * source instead of a spinner interval plus a clock keeps the TUI's cost inside the 5 % budget (DESIGN.md §6).
 */
function useHeartbeat(reported: number): {elapsed: number; frame: string} {
	const [startedAt] = useState(() => Date.now());
	const [, setTick] = useState(0);
	useEffect(() => {
		const timer = setTimeout(() => setTick(tick => tick + 1), 250);
		return () => clearTimeout(timer);
	});
	const now = Date.now();
	return {elapsed: Math.max(reported, now - startedAt), frame: spinner[Math.floor(now / 120) % spinner.length]!};
}
