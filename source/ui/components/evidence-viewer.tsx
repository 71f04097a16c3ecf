import {Box, Text, useInput} from 'ink';
import {useState} from 'react';
import {truncate} from '../format.js';

type Properties = {
	readonly title: string;
	/** null while loading. */
	readonly text: string | null;
	readonly error: string | null;
	/** Lines available, including the title line. */
	readonly height: number;
	readonly width: number;
	readonly isActive: boolean;
	readonly onClose: () => void;
};

/** A step's evidence summary: ↑/↓ and PgUp/PgDn scroll, Esc (or e) closes (the footer lists the keys). Long lines are cut to the screen. */
export function EvidenceViewer({title, text, error, height, width, isActive, onClose}: Properties) {
	const [top, setTop] = useState(0);
	const lines = error ? [`Could not read the evidence: ${error}`] : text === null ? ['Loading…'] : text.replace(/\n$/, '').split('\n');
	const visible = Math.max(1, height - 1);
	const maxTop = Math.max(0, lines.length - visible);
	useInput((input, key) => {
		if (key.escape || input === 'e' || input === 'q') {
			onClose();
		} else if (key.upArrow || input === 'k') {
			setTop(value => Math.max(0, value - 1));
		} else if (key.downArrow || input === 'j') {
			setTop(value => Math.min(maxTop, value + 1));
		} else if (key.pageUp) {
			setTop(value => Math.max(0, value - visible));
		} else if (key.pageDown || input === ' ') {
			setTop(value => Math.min(maxTop, value + visible));
		}
	}, {isActive});
	const start = Math.min(top, maxTop);
	const position = lines.length > visible ? ` — lines ${start + 1}–${Math.min(lines.length, start + visible)} of ${lines.length}` : '';
	return (
		<Box flexDirection="column" width={width}>
			<Text bold wrap="truncate-end">{truncate(`Evidence: ${title}${position}`, width)}</Text>
			{lines.slice(start, start + visible).map((line, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={start + index} wrap="truncate-end">{truncate(line.replaceAll('\t', '  ') || ' ', width)}</Text>
			))}
		</Box>
	);
}
