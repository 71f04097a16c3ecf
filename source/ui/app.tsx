import {Box, Text, useApp, useInput} from 'ink';
import {useEffect, useState} from 'react';
import {useTint} from './color.js';
import {AbortConfirm} from './components/abort-confirm.js';
import {ApprovalPrompt} from './components/approval-prompt.js';
import {DriftPrompt} from './components/drift-prompt.js';
import {EvidenceViewer} from './components/evidence-viewer.js';
import {FailurePrompt} from './components/failure-prompt.js';
import {Footer} from './components/footer.js';
import {Header} from './components/header.js';
import {LiveStep} from './components/live-step.js';
import {MetricsTable} from './components/metrics-table.js';
import {RunSummary} from './components/run-summary.js';
import {StepList} from './components/step-list.js';
import {useEvidenceViewer} from './hooks/use-evidence-viewer.js';
import {useRun} from './hooks/use-run.js';
import {useTerminalSize} from './hooks/use-terminal-size.js';
import {abortQuestion, keysFor, type Overlay, type PromptMode} from './keymap.js';
import {liveStepHeight, promptHeight} from './layout.js';
import type {RunFeed} from './run-feed.js';

type Properties = {
	readonly feed: RunFeed;
	readonly title: string;
	readonly database: string | null;
	/** Recorded as `by` with every decision. */
	readonly operatorName: string;
	readonly readEvidence?: (stepId: string) => Promise<string>;
	/** Asked to stop after the current batch (wired to the run's AbortController). */
	readonly onAbort?: () => void;
	/** A second Ctrl-C after an abort was requested: stop at once. */
	readonly onForceQuit?: () => void;
	readonly intervalMs?: number;
};

/** The guided session's screen. The only `exit()` of the TUI is here, once the session has closed. */
export function App({feed, title, database, operatorName, readEvidence, onAbort, onForceQuit, intervalMs}: Properties) {
	const {exit} = useApp();
	const tint = useTint();
	const {columns, rows} = useTerminalSize();
	const {state, answerApproval, answerFailure, answerDrift} = useRun(feed, intervalMs);
	const [confirmingAbort, setConfirmingAbort] = useState(false);
	const [abortRequested, setAbortRequested] = useState(false);
	const [promptMode, setPromptMode] = useState<PromptMode>('choice');
	const evidence = useEvidenceViewer(readEvidence);
	const {pending} = state;

	useEffect(() => {
		if (state.closed) {
			exit();
		} else if (state.crashed !== null) {
			exit(new Error(state.crashed));
		}
	}, [state.closed, state.crashed, exit]);

	const answerAbort = (abort: boolean) => {
		setConfirmingAbort(false);
		if (!abort) {
			return;
		}

		if (pending?.kind === 'approval') {
			answerApproval({answer: 'abort', by: operatorName, reason: 'aborted by the operator (Ctrl-C / q)'});
		} else if (pending?.kind === 'failure') {
			answerFailure('quit');
		} else if (pending?.kind === 'drift') {
			answerDrift('quit');
		} else {
			setAbortRequested(true);
			onAbort?.();
		}
	};

	const evidenceStep = pending?.kind === 'approval' ? state.lastFinishedStep ?? pending.request.step : state.currentStep ?? state.lastFinishedStep;
	const showEvidence = () => evidence.open(evidenceStep);
	const overlay: Overlay = evidence.view ? 'evidence' : confirmingAbort ? 'abort-confirm' : abortRequested ? 'abort-requested' : null;
	const closed = state.closed !== null || state.crashed !== null;
	useInput((input, key) => {
		if (key.ctrl && input === 'c') {
			if (abortRequested) {
				(onForceQuit ?? onAbort)?.();
			} else if (confirmingAbort) {
				answerAbort(true);
			} else {
				evidence.close();
				setConfirmingAbort(true);
			}
		} else if (overlay === null && pending === null && input === 'q') {
			setConfirmingAbort(true);
		} else if (overlay === null && pending === null && input === 'e') {
			showEvidence();
		}
	}, {isActive: !closed});

	const current = state.steps.find(step => step.id === state.currentStep && step.status === 'running' && pending?.kind !== 'approval');
	const nameOf = (id: string) => {
		const step = state.steps.find(candidate => candidate.id === id);
		return step ? `${step.number}. ${step.title}` : id;
	};

	const promptsActive = overlay === null || overlay === 'abort-requested';
	const headerLines = 2 + (state.evidenceDir ? 1 : 0);
	const middle = (current ? liveStepHeight(current, state.progress, state.throttle, columns) : 0) + (pending ? promptHeight(pending, promptMode, columns) : 1);
	const listLines = Math.max(1, rows - 2 - headerLines - middle - (overlay ? 3 : 0));
	return (
		<Box flexDirection="column" width={columns}>
			<Header title={title} runId={state.runId} resumed={state.resumed} database={database} evidenceDir={state.evidenceDir} width={columns} />
			<StepList history={state.history} steps={state.steps} awaitingStep={pending?.kind === 'approval' ? pending.request.step : null} maxLines={listLines} width={columns} />
			{evidence.view ? (
				<EvidenceViewer title={evidence.view.stepId ? nameOf(evidence.view.stepId) : 'no step yet'} text={evidence.view.text} error={evidence.view.error} height={Math.max(3, rows - headerLines - 2)} width={columns} isActive onClose={evidence.close} />
			) : (
				<Box flexDirection="column" width={columns}>
					{current ? <LiveStep step={current} progress={state.progress} throttle={state.throttle} width={columns} /> : null}
					{pending?.kind === 'approval' ? (
						<Box flexDirection="column">
							<ApprovalPrompt key={pending.request.step} request={pending.request} by={operatorName} isActive={promptsActive} onDecide={answerApproval} onViewEvidence={showEvidence} onModeChange={setPromptMode} />
							{pending.request.planned ? <MetricsTable planned={pending.request.planned} width={columns} /> : null}
						</Box>
					) : null}
					{pending?.kind === 'failure' ? <FailurePrompt request={pending.request} name={nameOf(pending.request.step)} isActive={promptsActive} onChoose={answerFailure} onViewEvidence={showEvidence} /> : null}
					{pending?.kind === 'drift' ? <DriftPrompt request={pending.request} name={nameOf(pending.request.step)} isActive={promptsActive} width={columns} onChoose={answerDrift} onViewEvidence={showEvidence} /> : null}
					{confirmingAbort ? <AbortConfirm question={abortQuestion(pending, state.progress !== null)} isActive onAnswer={answerAbort} /> : null}
					{abortRequested && !closed ? <Text color={tint('red')}>⏹ Abort requested: stopping at the next safe point… (Ctrl-C again stops at once)</Text> : null}
					{state.finished ? <RunSummary status={state.finished.status} exitCode={state.finished.exitCode} /> : null}
				</Box>
			)}
			<Footer keys={closed ? [] : keysFor(overlay, pending, current !== undefined, promptMode)} width={columns} />
		</Box>
	);
}
