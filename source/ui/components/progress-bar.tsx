import {Text} from 'ink';
import {useTint} from '../color.js';

type Properties = {
	/** 0..1 */
	readonly ratio: number;
	/** Total columns, including the percentage. */
	readonly width: number;
};

/** `[████████░░░░░░░░]  45%` — the percentage is printed, so the bar means the same without colour. */
export function ProgressBar({ratio, width}: Properties) {
	const tint = useTint();
	const clamped = Math.min(1, Math.max(0, ratio));
	const percent = `${Math.floor(clamped * 100)}%`.padStart(4);
	const inner = Math.max(4, width - percent.length - 3);
	const filled = Math.round(clamped * inner);
	return (
		<Text>
			[<Text color={tint('green')}>{'█'.repeat(filled)}</Text>
			<Text dimColor>{'░'.repeat(inner - filled)}</Text>] {percent}
		</Text>
	);
}
