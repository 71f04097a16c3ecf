// Shared by the member and activity reconciliation (DESIGN.md §7 step 3).

export type Difference = {
	readonly user_id: number;
	readonly community_id: number | null;
	readonly kind: string;
	readonly expected: unknown;
	readonly found: unknown;
};

export type Row = Record<string, unknown>;

/** 'YYYY-MM-DD HH:MM:SS' for the spellings both dialects return; null stays null. */
export function timestamp(value: unknown): string | null {
	if (value === null || value === undefined || value === '') {
		return null;
	}

	const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})/.exec(String(value));
	return match ? `${match[1]} ${match[2]}` : String(value);
}

export const placeholders = (count: number) => Array.from({length: count}, () => '?').join(', ');
