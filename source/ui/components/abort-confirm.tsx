import {Box, Text, useInput} from 'ink';
import {useTint} from '../color.js';

type Properties = {
	/** What happens on y, in one sentence. */
	readonly question: string;
	readonly isActive: boolean;
	readonly onAnswer: (abort: boolean) => void;
};

/** "Abort after the current batch? (y/n)" — y aborts, n (or Esc) keeps going. */
export function AbortConfirm({question, isActive, onAnswer}: Properties) {
	const tint = useTint();
	useInput((input, key) => {
		if (input === 'y') {
			onAnswer(true);
		} else if (input === 'n' || key.escape) {
			onAnswer(false);
		}
	}, {isActive});
	return (
		<Box flexDirection="column">
			<Text>
				<Text color={tint('red')} bold>⏹ </Text>
				<Text bold>{question} (y/n)</Text>
			</Text>
			<Text>
				<Text bold>y</Text> abort: the run stops at a safe point, keeps its checkpoint and evidence, and can be resumed (exit 130) · <Text bold>n</Text> keep going
			</Text>
		</Box>
	);
}
