import {Box, Text, useInput} from 'ink';
import type {DriftChoice, DriftRequest} from '../../engine/runner-events.js';
import {useTint} from '../color.js';
import {formatCount, headline, truncate} from '../format.js';

type Properties = {
	readonly request: DriftRequest;
	readonly name: string;
	readonly isActive: boolean;
	readonly width: number;
	readonly onChoose: (choice: DriftChoice) => void;
	readonly onViewEvidence?: () => void;
};

/** The execution's counts differ from the dry run's: both numbers per metric, then accept (a), roll back (b) or quit (q). */
export function DriftPrompt({request, name, isActive, width, onChoose, onViewEvidence}: Properties) {
	const tint = useTint();
	useInput((input) => {
		if (input === 'a') {
			onChoose('accept');
		} else if (input === 'b') {
			onChoose('rollback');
		} else if (input === 'q') {
			onChoose('quit');
		} else if (input === 'e') {
			onViewEvidence?.();
		}
	}, {isActive});
	const rows = Object.entries(request.drift);
	const labelWidth = Math.min(28, Math.max(...rows.map(([key]) => headline(key).length)));
	return (
		<Box flexDirection="column">
			<Text>
				<Text color={tint('yellow')} bold>⚠ Drift: </Text>
				<Text bold>{name}</Text> wrote different counts than its dry run planned.
			</Text>
			{rows.map(([key, [planned, actual]]) => {
				const delta = actual - planned;
				const line = `  ${truncate(headline(key), labelWidth).padEnd(labelWidth)}  planned ${formatCount(planned).padStart(9)}  actual ${formatCount(actual).padStart(9)}  (${delta > 0 ? '+' : ''}${formatCount(delta)})`;
				return <Text key={key} wrap="truncate-end">{truncate(line, width)}</Text>;
			})}
			<Text>
				<Text bold>a</Text> accept the difference and go on · <Text bold>b</Text> roll back this run · <Text bold>q</Text> quit (exit 7, resumable)
				{onViewEvidence ? <Text> · <Text bold>e</Text> evidence</Text> : null}
			</Text>
		</Box>
	);
}
