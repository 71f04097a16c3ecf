import {Box, Text, useInput} from 'ink';
import {useEffect, useState} from 'react';
import type {ApprovalRequest, Decision} from '../../engine/runner-events.js';
import {useTint} from '../color.js';
import type {PromptMode as Mode} from '../keymap.js';
import {TextInput} from './text-input.js';
import {TypeToConfirm} from './type-to-confirm.js';

type Properties = {
	readonly request: ApprovalRequest;
	/** Who answers, recorded in the evidence with the decision. */
	readonly by: string;
	readonly isActive: boolean;
	readonly onDecide: (decision: Decision) => void;
	readonly onViewEvidence?: () => void;
	/** Told when the prompt switches between choosing a key and typing (the footer lists the keys of each). */
	readonly onModeChange?: (mode: Mode) => void;
};


/** Before a step: run it (y, or type the word), skip it with a reason (s), or abort the run (q / a). */
export function ApprovalPrompt({request, by, isActive, onDecide, onViewEvidence, onModeChange}: Properties) {
	const tint = useTint();
	const [mode, setMode] = useState<Mode>('choice');
	const [reason, setReason] = useState('');
	const [reasonMissing, setReasonMissing] = useState(false);
	useEffect(() => onModeChange?.(mode), [mode, onModeChange]);
	const typed = request.policy === 'type-to-confirm' && request.word ? request.word : null;
	const name = `${request.number}. ${request.title}`;
	useInput((input) => {
		if (input === 'y') {
			if (typed) {
				setMode('word');
			} else {
				onDecide({answer: 'run', by});
			}
		} else if (input === 's') {
			setMode('reason');
		} else if (input === 'q' || input === 'a') {
			onDecide({answer: 'abort', by, reason: 'aborted by the operator at the approval prompt'});
		} else if (input === 'e') {
			onViewEvidence?.();
		}
	}, {isActive: isActive && mode === 'choice'});

	const submitReason = (value: string) => {
		if (value.trim() === '') {
			setReasonMissing(true);
			return;
		}

		onDecide({answer: 'skip', by, reason: value.trim()});
	};

	return (
		<Box flexDirection="column">
			<Text>
				<Text color={tint('yellow')} bold>? </Text>
				<Text bold>{name}</Text> ({request.phase}): {request.description}
			</Text>
			{mode === 'choice' ? (
				<Text>
					<Text bold>y</Text> {typed ? `run it (you type "${typed}" to confirm)` : 'run it now'} · <Text bold>s</Text> skip it (asks a reason)
					{' · '}<Text bold>q</Text> abort the run (resumable){onViewEvidence ? ' · ' : ''}{onViewEvidence ? <Text><Text bold>e</Text> evidence</Text> : null}
				</Text>
			) : null}
			{mode === 'word' && typed ? (
				<TypeToConfirm word={typed} action={`run ${name}`} isActive={isActive} onConfirm={() => onDecide({answer: 'run', by})} onCancel={() => setMode('choice')} />
			) : null}
			{mode === 'reason' ? (
				<Box flexDirection="column">
					<Text>Why skip {name}? One line, kept in the evidence. Enter submits, Esc goes back.</Text>
					<TextInput value={reason} isActive={isActive} placeholder="reason" onChange={value => { setReason(value); setReasonMissing(false); }} onSubmit={submitReason} onCancel={() => setMode('choice')} />
					{reasonMissing ? <Text color={tint('red')}>✖ A reason is required to skip a step.</Text> : null}
				</Box>
			) : null}
		</Box>
	);
}
