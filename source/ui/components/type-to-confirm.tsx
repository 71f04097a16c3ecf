import {Box, Text} from 'ink';
import {useState} from 'react';
import {useTint} from '../color.js';
import {TextInput} from './text-input.js';

type Properties = {
	/** The word to type, e.g. `backfill`. */
	readonly word: string;
	/** What typing it will do, e.g. "run 4. Backfill memberships". */
	readonly action: string;
	readonly isActive: boolean;
	readonly onConfirm: () => void;
	readonly onCancel: () => void;
};

/** The operator types the exact word; anything else is refused with a message and nothing happens. */
export function TypeToConfirm({word, action, isActive, onConfirm, onCancel}: Properties) {
	const tint = useTint();
	const [value, setValue] = useState('');
	const [refused, setRefused] = useState<string | null>(null);
	const submit = (typed: string) => {
		if (typed.trim() === word) {
			onConfirm();
			return;
		}

		setRefused(typed.trim());
		setValue('');
	};

	return (
		<Box flexDirection="column">
			<Text>
				Type <Text bold>{word}</Text> and press Enter to {action}. Esc goes back.
			</Text>
			<TextInput value={value} isActive={isActive} onChange={setValue} onSubmit={submit} onCancel={onCancel} />
			{refused === null ? null : (
				<Text color={tint('red')}>
					✖ {refused === '' ? 'Nothing typed' : `"${refused}" is not "${word}"`}: nothing was run. Type the exact word.
				</Text>
			)}
		</Box>
	);
}
