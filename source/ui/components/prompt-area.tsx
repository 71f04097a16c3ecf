import {Box} from 'ink';
import type {Decision, DriftChoice, FailureChoice} from '../../engine/runner-events.js';
import type {PromptMode} from '../keymap.js';
import type {PendingRequest} from '../run-state.js';
import {ApprovalPrompt} from './approval-prompt.js';
import {DriftPrompt} from './drift-prompt.js';
import {FailurePrompt} from './failure-prompt.js';
import {MetricsTable} from './metrics-table.js';

type Properties = {
	readonly pending: PendingRequest;
	readonly by: string;
	readonly isActive: boolean;
	readonly width: number;
	/** "4. Backfill memberships" for a step id. */
	readonly nameOf: (stepId: string) => string;
	readonly onDecide: (decision: Decision) => void;
	readonly onFailureChoice: (choice: FailureChoice) => void;
	readonly onDriftChoice: (choice: DriftChoice) => void;
	readonly onViewEvidence: () => void;
	readonly onModeChange: (mode: PromptMode) => void;
};

/** The open question of the engine, switched on its kind (cdktf's approval bar): approval, failure or drift. */
export function PromptArea({pending, by, isActive, width, nameOf, onDecide, onFailureChoice, onDriftChoice, onViewEvidence, onModeChange}: Properties) {
	switch (pending.kind) {
		case 'approval': {
			return (
				<Box flexDirection="column">
					<ApprovalPrompt key={pending.request.step} request={pending.request} by={by} isActive={isActive} onDecide={onDecide} onViewEvidence={onViewEvidence} onModeChange={onModeChange} />
					{pending.request.planned ? <MetricsTable planned={pending.request.planned} width={width} /> : null}
				</Box>
			);
		}

		case 'failure': {
			return <FailurePrompt request={pending.request} name={nameOf(pending.request.step)} isActive={isActive} onChoose={onFailureChoice} onViewEvidence={onViewEvidence} />;
		}

		case 'drift': {
			return <DriftPrompt request={pending.request} name={nameOf(pending.request.step)} isActive={isActive} width={width} onChoose={onDriftChoice} onViewEvidence={onViewEvidence} />;
		}
	}
}
