import {Text} from 'ink';
import Spinner from 'ink-spinner';
import {memo} from 'react';
import {useTint} from '../color.js';

/**
 * ink-spinner's dots, on their own. The frame state lives inside <Spinner> and this component takes no props, so
 * its 80 ms ticks re-render it alone: the panel around it renders only when progress changes (and a progress
 * redraw of the panel does not reach in here either).
 */
export const BusyIndicator = memo(function BusyIndicator() {
	const tint = useTint();
	return (
		<Text color={tint('cyan')}>
			<Spinner type="dots" />
		</Text>
	);
});
