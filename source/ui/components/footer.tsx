import {Text} from 'ink';
import {truncate} from '../format.js';
import type {KeyHint} from '../keymap.js';

type Properties = {
	readonly keys: readonly KeyHint[];
	readonly width: number;
};

/** The keys that work right now, on one line. */
export function Footer({keys, width}: Properties) {
	if (keys.length === 0) {
		return null;
	}

	const line = `Keys: ${keys.map(({key, label}) => `${key} ${label}`).join(' · ')}`;
	return <Text dimColor wrap="truncate-end">{truncate(line, width)}</Text>;
}
