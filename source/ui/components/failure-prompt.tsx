import {Box, Text, useInput} from 'ink';
import type {FailureChoice, FailureRequest} from '../../engine/runner-events.js';
import {useTint} from '../color.js';

type Properties = {
	readonly request: FailureRequest;
	/** "4. Backfill memberships" */
	readonly name: string;
	readonly isActive: boolean;
	readonly onChoose: (choice: FailureChoice) => void;
	readonly onViewEvidence?: () => void;
};

/** After a failed step: retry (r), roll back what this run changed (b, when there is something to undo), or quit (q). */
export function FailurePrompt({request, name, isActive, onChoose, onViewEvidence}: Properties) {
	const tint = useTint();
	const {error, rollbackAvailable} = request;
	useInput((input) => {
		if (input === 'r') {
			onChoose('retry');
		} else if (input === 'b' && rollbackAvailable) {
			onChoose('rollback');
		} else if (input === 'q') {
			onChoose('quit');
		} else if (input === 'e') {
			onViewEvidence?.();
		}
	}, {isActive});
	return (
		<Box flexDirection="column">
			<Text>
				<Text color={tint('red')} bold>✖ </Text>
				<Text bold>{name}</Text> failed (exit {error.code}): {error.message}
			</Text>
			{error.hint ? <Text>  Hint: {error.hint}</Text> : null}
			<Text>  Committed batches and the checkpoint are saved: the run stays resumable whatever you choose.</Text>
			<Text>
				<Text bold>r</Text> retry the step · {rollbackAvailable ? <Text><Text bold>b</Text> roll back this run's changes · </Text> : null}
				<Text bold>q</Text> quit now (start the guide again to resume){onViewEvidence ? <Text> · <Text bold>e</Text> evidence</Text> : null}
			</Text>
		</Box>
	);
}
