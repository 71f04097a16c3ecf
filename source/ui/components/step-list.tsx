import {Box, Static, Text} from 'ink';
import {memo} from 'react';
import {useTint} from '../color.js';
import {truncate} from '../format.js';
import type {HistoryEntry, StepView} from '../run-state.js';
import {HistoryLine} from './history-line.js';

type Properties = {
	readonly history: readonly HistoryEntry[];
	readonly steps: readonly StepView[];
	/** The step whose approval prompt is open, if any. */
	readonly awaitingStep: string | null;
	/** Lines available for the running and pending steps (the history above is not counted). */
	readonly maxLines: number;
	readonly width: number;
};

/** Finished steps go into <Static> (drawn once, scroll away); the running and pending steps stay live below. */
export const StepList = memo(function StepList({history, steps, awaitingStep, maxLines, width}: Properties) {
	const tint = useTint();
	const open = steps.filter(step => step.status === 'running' || step.status === 'pending' || step.status === 'unavailable');
	const room = Math.max(1, maxLines);
	const shown = open.length > room ? open.slice(0, room - 1) : open;
	const hidden = open.length - shown.length;
	return (
		<>
			<Static items={history as HistoryEntry[]}>{entry => <HistoryLine key={entry.key} entry={entry} />}</Static>
			<Box flexDirection="column" width={width}>
				{shown.map(step => {
					const {symbol, word, color} = look(step, awaitingStep);
					const line = truncate(`${symbol} ${step.number}. ${step.title} — ${word}`, width);
					return (
						<Text key={step.id} dimColor={step.status !== 'running'} color={tint(color)} bold={step.status === 'running'} wrap="truncate-end">
							{line}
						</Text>
					);
				})}
				{hidden > 0 ? <Text dimColor>{truncate(`  … and ${hidden} more pending step${hidden === 1 ? '' : 's'}`, width)}</Text> : null}
			</Box>
		</>
	);
});

function look(step: StepView, awaitingStep: string | null): {symbol: string; word: string; color: string} {
	if (step.status === 'running') {
		return step.id === awaitingStep ? {symbol: '?', word: 'waiting for your decision', color: 'yellow'} : {symbol: '▶', word: 'running', color: 'cyan'};
	}

	return step.status === 'unavailable' ? {symbol: '–', word: 'unavailable in this version', color: 'gray'} : {symbol: '○', word: 'pending', color: 'gray'};
}
