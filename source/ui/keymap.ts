import type {PendingRequest} from './run-state.js';

/** A key the operator can press now and what it does, as the footer lists it. */
export type KeyHint = {readonly key: string; readonly label: string};

/** What covers the normal view: the evidence viewer, the abort question, or the "abort requested" notice. */
export type Overlay = 'evidence' | 'abort-confirm' | 'abort-requested' | null;

/** How the approval prompt is being answered: choosing a key, typing a skip reason, or typing the word. */
export type PromptMode = 'choice' | 'reason' | 'word';

/** The keys that work right now, for the footer. */
export function keysFor(overlay: Overlay, pending: PendingRequest | null, running: boolean, promptMode: PromptMode = 'choice'): KeyHint[] {
	if (overlay === 'evidence') {
		return [{key: '↑/↓', label: 'scroll'}, {key: 'PgUp/PgDn', label: 'page'}, {key: 'Esc', label: 'close'}];
	}

	if (overlay === 'abort-confirm') {
		return [{key: 'y', label: 'abort'}, {key: 'n', label: 'keep going'}];
	}

	const ctrlC = overlay === 'abort-requested' ? {key: 'Ctrl-C', label: 'stop at once'} : {key: 'Ctrl-C', label: 'abort'};
	const evidence = {key: 'e', label: 'evidence'};
	switch (pending?.kind) {
		case 'approval': {
			if (promptMode !== 'choice') {
				return [{key: 'Enter', label: 'submit'}, {key: 'Esc', label: 'back'}, ctrlC];
			}

			return [{key: 'y', label: 'run'}, {key: 's', label: 'skip'}, {key: 'q', label: 'abort'}, evidence, ctrlC];
		}

		case 'failure': {
			return [{key: 'r', label: 'retry'}, ...(pending.request.rollbackAvailable ? [{key: 'b', label: 'roll back'}] : []), {key: 'q', label: 'quit (resumable)'}, evidence];
		}

		case 'drift': {
			return [{key: 'a', label: 'accept'}, {key: 'b', label: 'roll back'}, {key: 'q', label: 'quit'}, evidence];
		}

		default: {
			if (overlay === 'abort-requested') {
				return [ctrlC];
			}

			return [evidence, {key: 'q', label: running ? 'abort after this batch' : 'abort'}, ctrlC];
		}
	}
}

/** The abort question says what y will do in the situation at hand. */
export function abortQuestion(pending: PendingRequest | null, batchRunning: boolean): string {
	if (pending) {
		return 'Abort the run here? Nothing else runs.';
	}

	return batchRunning ? 'Abort after the current batch?' : 'Abort after the current step reaches a safe point?';
}
