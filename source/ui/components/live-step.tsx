import {Box} from 'ink';
import {memo} from 'react';
import type {Progress} from '../../engine/progress.js';
import type {StepView, ThrottleView} from '../run-state.js';
import {MetricsTable} from './metrics-table.js';
import {ProgressPanel} from './progress-panel.js';

type Properties = {
	readonly step: StepView;
	readonly progress: Progress | null;
	readonly throttle: ThrottleView | null;
	readonly width: number;
};

/** Wide terminals put the planned-vs-live table beside the progress panel; narrow ones put it below. */
export const sideBySideFrom = 120;

/** The running step: progress panel plus the planned (dry run) vs live counters; redrawn when progress arrives. */
export const LiveStep = memo(function LiveStep({step, progress, throttle, width}: Properties) {
	const live = progress?.metrics;
	const hasTable = Boolean(step.planned ?? live);
	const beside = hasTable && width >= sideBySideFrom;
	const panelWidth = beside ? Math.floor(width * 0.55) : width;
	return (
		<Box flexDirection={beside ? 'row' : 'column'} width={width}>
			<Box width={panelWidth} flexShrink={0} marginRight={beside ? 2 : 0}>
				<ProgressPanel key={step.id} number={step.number} title={step.title} progress={progress} throttle={throttle} width={panelWidth} />
			</Box>
			{hasTable ? <MetricsTable planned={step.planned} live={live} width={beside ? width - panelWidth - 2 : width} /> : null}
		</Box>
	);
});
