import {Box, Text, useApp, useInput} from 'ink';
import {useEffect, useState} from 'react';
import {useTint} from './color.js';
import {AbortConfirm} from './components/abort-confirm.js';
import {EvidenceViewer} from './components/evidence-viewer.js';
import {Footer} from './components/footer.js';
import {Header} from './components/header.js';
import {LiveStep} from './components/live-step.js';
import {PromptArea} from './components/prompt-area.js';
import {RunSummary} from './components/run-summary.js';
import {StepList} from './components/step-list.js';
import {useAbort} from './hooks/use-abort.js';
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
	readonly timeZone?: string | null;
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
export function App({feed, title, database, timeZone, operatorName, readEvidence, onAbort, onForceQuit, intervalMs}: Properties) {
	const {exit} = useApp();
	const tint = useTint();
	const {columns, rows} = useTerminalSize();
	const {state, ...answers} = useRun(feed, intervalMs);
	const {pending} = state;
	const abort = useAbort({...answers, pending, operatorName, onAbort, onForceQuit});
	const [promptMode, setPromptMode] = useState<PromptMode>('choice');
	const evidence = useEvidenceViewer(readEvidence);
	const closed = state.closed !== null || state.crashed !== null;

	useEffect(() => {
		if (state.closed) {
			exit();
		} else if (state.crashed !== null) {
			exit(new Error(state.crashed));
		}
	}, [state.closed, state.crashed, exit]);

	// At an approval the next step has no evidence yet: show the last finished one (usually its dry run).
	const evidenceStep = pending?.kind === 'approval' ? state.lastFinishedStep ?? pending.request.step : state.currentStep ?? state.lastFinishedStep;
	const showEvidence = () => evidence.open(evidenceStep);
	const overlay: Overlay = evidence.view ? 'evidence' : abort.confirming ? 'abort-confirm' : abort.requested ? 'abort-requested' : null;
	useInput((input, key) => {
		if (key.ctrl && input === 'c') {
			evidence.close();
			abort.interrupt();
		} else if (overlay === null && pending === null && input === 'q') {
			abort.ask();
		} else if (overlay === null && pending === null && input === 'e') {
			showEvidence();
		}
	}, {isActive: !closed});

	const current = state.steps.find(step => step.id === state.currentStep && step.status === 'running' && pending?.kind !== 'approval');
	const nameOf = (id: string) => {
		const step = state.steps.find(candidate => candidate.id === id);
		return step ? `${step.number}. ${step.title}` : id;
	};

	const headerLines = 2 + (state.evidenceDir ? 1 : 0);
	const middle = (current ? liveStepHeight(current, state.progress, state.throttle, columns) : 0) + (pending ? promptHeight(pending, promptMode, columns) : 1);
	const listLines = Math.max(1, rows - 2 - headerLines - middle - (overlay ? 3 : 0));
	return (
		<Box flexDirection="column" width={columns}>
			<Header title={title} runId={state.runId} resumed={state.resumed} database={database} timeZone={timeZone ?? null} evidenceDir={state.evidenceDir} width={columns} />
			<StepList history={state.history} steps={state.steps} awaitingStep={pending?.kind === 'approval' ? pending.request.step : null} maxLines={listLines} width={columns} />
			{evidence.view ? (
				<EvidenceViewer title={evidence.view.stepId ? nameOf(evidence.view.stepId) : 'no step yet'} text={evidence.view.text} error={evidence.view.error} height={Math.max(3, rows - headerLines - 2)} width={columns} isActive onClose={evidence.close} />
			) : (
				<Box flexDirection="column" width={columns}>
					{current ? <LiveStep step={current} progress={state.progress} throttle={state.throttle} width={columns} /> : null}
					{pending ? (
						<PromptArea pending={pending} by={operatorName} isActive={overlay === null || overlay === 'abort-requested'} width={columns} nameOf={nameOf}
							onDecide={answers.answerApproval} onFailureChoice={answers.answerFailure} onDriftChoice={answers.answerDrift} onViewEvidence={showEvidence} onModeChange={setPromptMode} />
					) : null}
					{abort.confirming ? <AbortConfirm question={abortQuestion(pending, state.progress !== null)} isActive onAnswer={abort.answer} /> : null}
					{abort.requested && !closed ? <Text color={tint('red')}>⏹ Abort requested: stopping at the next safe point… (Ctrl-C again stops at once)</Text> : null}
					{state.finished ? <RunSummary status={state.finished.status} exitCode={state.finished.exitCode} /> : null}
				</Box>
			)}
			<Footer keys={closed ? [] : keysFor(overlay, pending, current !== undefined, promptMode)} width={columns} />
		</Box>
	);
}
