import {Text, useInput} from 'ink';
import {useRef} from 'react';
import {useTint} from '../color.js';

type Properties = {
	readonly value: string;
	readonly isActive: boolean;
	readonly onChange: (value: string) => void;
	readonly onSubmit: (value: string) => void;
	readonly onCancel: () => void;
	readonly placeholder?: string;
};

/** A one-line input: printable keys (and pastes) append, Backspace deletes, Enter submits, Esc cancels. */
export function TextInput({value, isActive, onChange, onSubmit, onCancel, placeholder}: Properties) {
	const tint = useTint();
	// Keys can arrive faster than React re-renders (a paste split in chunks): edit the latest value, not the rendered one.
	const latest = useRef(value);
	latest.current = value;
	const change = (next: string) => {
		latest.current = next;
		onChange(next);
	};

	useInput((input, key) => {
		if (key.return) {
			onSubmit(latest.current);
		} else if (key.escape) {
			onCancel();
		} else if (key.backspace || key.delete) {
			change(latest.current.slice(0, -1));
		} else if (!key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow && !key.leftArrow && !key.rightArrow && input) {
			// A chunk can carry the Enter too ("backfill\r" when typed fast or pasted): type the text, then submit.
			const [text = '', ...rest] = input.split(/\r|\n/);
			// eslint-disable-next-line no-control-regex
			change(latest.current + text.replaceAll(/[\u0000-\u001F\u007F]/g, ''));
			if (rest.length > 0) {
				onSubmit(latest.current);
			}
		}
	}, {isActive});
	return (
		<Text>
			<Text color={tint('cyan')}>{'> '}</Text>
			{value === '' && placeholder ? <Text dimColor>{placeholder}</Text> : value}
			{isActive ? <Text inverse> </Text> : null}
		</Text>
	);
}
