import {Box, Text} from 'ink';
import {memo} from 'react';
import {useTint} from '../color.js';
import {truncate} from '../format.js';

type Properties = {
	readonly title: string;
	readonly runId: string | null;
	readonly resumed: boolean;
	readonly database: string | null;
	/** The platform's time zone every timestamp is written in (DESIGN.md §2). */
	readonly timeZone?: string | null;
	readonly evidenceDir: string | null;
	readonly width: number;
};

/** Runbook title, run id, database, time zone and evidence folder: what the operator pastes into the change ticket. */
export const Header = memo(function Header({title, runId, resumed, database, timeZone, evidenceDir, width}: Properties) {
	const tint = useTint();
	const run = runId ? `Run ${runId}${resumed ? ' (resumed)' : ''}` : 'Run starting…';
	const details = [run, database ? `Database ${database}` : null, timeZone ? `Time zone ${timeZone}` : null].filter(Boolean).join(' · ');
	return (
		<Box flexDirection="column" width={width}>
			<Text bold color={tint('cyan')} wrap="truncate-end">{truncate(title, width)}</Text>
			<Text wrap="truncate-end">{truncate(details, width)}</Text>
			{evidenceDir ? <Text dimColor wrap="truncate-start">{`Evidence ${evidenceDir}`}</Text> : null}
		</Box>
	);
});
