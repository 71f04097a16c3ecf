import {Text} from 'ink';
import {memo, useEffect, useState} from 'react';
import {formatDuration} from '../format.js';

type Properties = {
	/** The step's elapsed time as the engine last reported it (0 before the first batch). */
	readonly reportedMs: number;
};

/**
 * "1:15": the running step's elapsed time. Progress redraws it with the engine's figure; when no batch has come for a
 * second (a slow batch, a throttle wait) its own clock moves it on, re-rendering only this text, so the operator
 * never sees a frozen screen and the panel around it does not redraw.
 */
export const ElapsedTime = memo(function ElapsedTime({reportedMs}: Properties) {
	const [startedAt] = useState(() => Date.now());
	const [, setTick] = useState(0);
	useEffect(() => {
		const timer = setTimeout(() => setTick(tick => tick + 1), 1000);
		return () => clearTimeout(timer);
	});
	return <Text>{formatDuration(Math.max(reportedMs, Date.now() - startedAt))}</Text>;
});
