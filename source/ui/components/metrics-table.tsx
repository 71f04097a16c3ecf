import {Table} from '@alcalzone/ink-table';
import {Box, Text} from 'ink';
import {memo} from 'react';
import {formatCount, headline, truncate} from '../format.js';

type Properties = {
	/** The dry run's counts (ApprovalRequest.planned); the column is left out when there was no dry run. */
	readonly planned?: Readonly<Record<string, number>>;
	/** The live counters of the running (or finished) step; the column is left out before the first batch. */
	readonly live?: Readonly<Record<string, number>>;
	/** Columns available; labels are shortened to fit. */
	readonly width: number;
};

type Row = Record<string, string>;

/** ink-table without the rule between data rows, so eight metrics take eleven lines, not nineteen. */
class CompactTable extends Table<Row> {
	override separator = () => null as never;
}

/** Planned vs live per metric, headline-case labels ("Members Created"), numbers right-aligned. */
export const MetricsTable = memo(function MetricsTable({planned, live, width}: Properties) {
	const keys = [...new Set([...Object.keys(planned ?? {}), ...Object.keys(live ?? {})])];
	if (keys.length === 0) {
		return null;
	}

	const numberColumns = [planned ? 'Planned' : null, live ? 'Live' : null].filter((column): column is string => column !== null);
	const cells = (key: string): Row => ({
		...(planned ? {Planned: cell(planned[key])} : {}),
		...(live ? {Live: cell(live[key])} : {}),
	});
	const numberWidths = numberColumns.map(column => Math.max(column.length, ...keys.map(key => cells(key)[column]!.length)) + 2);
	const labelRoom = width - numberWidths.reduce((sum, value) => sum + value, 0) - (numberColumns.length + 2) - 2;
	if (labelRoom < 6) {
		return <Text>{truncate('(widen the terminal to see the metrics table)', width)}</Text>;
	}

	const data = keys.map(key => ({Metric: truncate(headline(key), labelRoom), ...cells(key)}));
	return (
		<Box flexDirection="column" flexShrink={0}>
			<CompactTable data={data} columns={['Metric', ...numberColumns.map(key => ({key, align: 'right' as const}))]} />
		</Box>
	);
});

/** Lines the table takes: top rule, heading, one per metric, bottom rule. */
export function metricsTableHeight(metricCount: number): number {
	return metricCount === 0 ? 0 : metricCount + 3;
}

function cell(value: number | undefined): string {
	return value === undefined ? '–' : formatCount(value);
}
