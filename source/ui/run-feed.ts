import type {RunAction} from './run-state.js';

export type RunFeed = {
	/** Replays what arrived before the first subscriber, then forwards every action. */
	subscribe(listener: (action: RunAction) => void): () => void;
};

export type RunFeedWriter = RunFeed & {push(action: RunAction): void};

/** The pipe between the engine side (events, operator requests) and the one React adapter, `useRun`. */
export function createRunFeed(): RunFeedWriter {
	const buffer: RunAction[] = [];
	let listener: ((action: RunAction) => void) | undefined;
	return {
		push(action) {
			if (listener) {
				listener(action);
			} else {
				buffer.push(action);
			}
		},
		subscribe(next) {
			listener = next;
			for (const action of buffer.splice(0)) {
				next(action);
			}

			return () => {
				if (listener === next) {
					listener = undefined;
				}
			};
		},
	};
}
