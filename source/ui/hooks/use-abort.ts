import {useState} from 'react';
import type {RunController} from './use-run.js';

type Options = Omit<RunController, 'state'> & {
	readonly pending: RunController['state']['pending'];
	readonly operatorName: string;
	readonly onAbort?: () => void;
	readonly onForceQuit?: () => void;
};

/**
 * q / Ctrl-C: ask first ("Abort after the current batch? (y/n)"); on y, answer an open prompt with abort / quit, or
 * ask the engine to stop after the current batch. Ctrl-C once an abort is under way stops at once (DESIGN.md §6).
 */
export function useAbort({pending, operatorName, answerApproval, answerFailure, answerDrift, onAbort, onForceQuit}: Options) {
	const [confirming, setConfirming] = useState(false);
	const [requested, setRequested] = useState(false);
	const answer = (abort: boolean) => {
		setConfirming(false);
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
			setRequested(true);
			onAbort?.();
		}
	};

	const interrupt = () => {
		if (requested) {
			(onForceQuit ?? onAbort)?.();
		} else if (confirming) {
			answer(true);
		} else {
			setConfirming(true);
		}
	};

	return {confirming, requested, ask: () => setConfirming(true), answer, interrupt};
}
