import {useCallback, useEffect, useRef, useState} from 'react';
import type {Decision, DriftChoice, FailureChoice} from '../../engine/runner-events.js';
import type {RunFeed} from '../run-feed.js';
import type {PendingRequest, RunAction, RunState} from '../run-state.js';
import {initialRunState, reduceRun} from './run-reducer.js';

// The ONLY adapter from engine events to React state (STYLE.md "ui/", cdktf hooks/cdktf-project.ts): the reducer of
// run-reducer.ts applied to every event, with throttled React updates.

/** Actions that may arrive in floods (one per batch); everything else is drawn at once. */
function isFlood(action: RunAction): boolean {
	return action.type === 'step-progress' || action.type === 'throttled';
}

export type RunController = {
	readonly state: RunState;
	answerApproval(decision: Decision): void;
	answerFailure(choice: FailureChoice): void;
	answerDrift(choice: DriftChoice): void;
};

/**
 * Subscribes to the session's feed. The reducer runs for every action (cheap: progress replaces one field), but React
 * sees progress at most once per `intervalMs` (leading + trailing edge), so 1000 batches/s cost ~10 renders/s.
 */
export function useRun(feed: RunFeed, intervalMs = 100): RunController {
	const latest = useRef<RunState>(initialRunState);
	const [state, setState] = useState<RunState>(initialRunState);
	const flushRef = useRef<(action: RunAction) => void>(() => undefined);

	useEffect(() => {
		let timer: NodeJS.Timeout | undefined;
		let lastFlush = 0;
		const flush = () => {
			timer = undefined;
			lastFlush = Date.now();
			setState(latest.current);
		};

		const apply = (action: RunAction) => {
			latest.current = reduceRun(latest.current, action);
			if (!isFlood(action)) {
				clearTimeout(timer);
				flush();
			} else if (timer === undefined) {
				const wait = intervalMs - (Date.now() - lastFlush);
				if (wait <= 0) {
					flush();
				} else {
					timer = setTimeout(flush, wait);
				}
			}
		};

		flushRef.current = apply;
		const unsubscribe = feed.subscribe(apply);
		return () => {
			unsubscribe();
			clearTimeout(timer);
		};
	}, [feed, intervalMs]);

	const answer = useCallback(<K extends PendingRequest['kind']>(kind: K, value: Parameters<Extract<PendingRequest, {kind: K}>['resolve']>[0]) => {
		const pending = latest.current.pending;
		if (pending?.kind !== kind) {
			return;
		}

		flushRef.current({type: 'request-answered'});
		(pending.resolve as (answer: typeof value) => void)(value);
	}, []);

	return {
		state,
		answerApproval: useCallback((decision: Decision) => answer('approval', decision), [answer]),
		answerFailure: useCallback((choice: FailureChoice) => answer('failure', choice), [answer]),
		answerDrift: useCallback((choice: DriftChoice) => answer('drift', choice), [answer]),
	};
}
