/** One batch committed (or one step of a non-batch job): what the live counters draw. DESIGN.md §6 "Live counters". */
export type Progress = {
	readonly source: string;
	readonly batch: number;
	readonly batchSize: number;
	readonly rowsScanned: number;
	/** Total rows in the fixed work set (upper bound at start), when known. */
	readonly rowsTotal: number | null;
	readonly metrics: Readonly<Record<string, number>>;
	readonly rowsPerSecond: number;
	readonly etaMs: number | null;
	readonly elapsedMs: number;
	readonly throttle: string | null;
};

export type ProgressListener = (progress: Progress) => void;
