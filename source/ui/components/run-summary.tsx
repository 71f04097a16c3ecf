import {Text} from 'ink';
import {useTint} from '../color.js';

type Properties = {
	readonly status: 'succeeded' | 'failed' | 'aborted';
	readonly exitCode: number;
};

/** The last line of the session: the outcome in words, the exit code, and how to go on. */
export function RunSummary({status, exitCode}: Properties) {
	const tint = useTint();
	if (status === 'succeeded') {
		return <Text color={tint('green')} bold>✔ Run succeeded (exit 0).</Text>;
	}

	const symbol = status === 'aborted' ? '⏹' : '✖';
	return (
		<Text>
			<Text color={tint('red')} bold>{symbol} Run {status} (exit {exitCode}).</Text> The run is resumable: start the guide again.
		</Text>
	);
}
