// Opaque keyset cursors: base64url of JSON `{o: occurred_at, i: id}` (+ `d: "prev"` for a backwards page).
// `o` is the row's occurred_at exactly as the database returns it ('YYYY-MM-DD HH:MM:SS', UTC), so the keyset
// comparison is made against the stored value, never a re-formatted one.
export type Cursor = {
	readonly occurredAt: string;
	readonly id: number;
	/** 'next' walks to older rows (next_cursor), 'prev' to newer ones (previous_cursor). */
	readonly direction: 'next' | 'prev';
};

const timestampPattern = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?$/;

export function encodeCursor(cursor: Cursor): string {
	const payload: Record<string, unknown> = {o: cursor.occurredAt, i: cursor.id};
	if (cursor.direction === 'prev') {
		payload.d = 'prev';
	}

	return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** The cursor a client sent back; undefined when it is not one this API issued (the caller answers 422). */
export function decodeCursor(text: string): Cursor | undefined {
	if (text.length > 200 || !/^[A-Za-z\d_-]+$/.test(text)) {
		return undefined;
	}

	let payload: unknown;
	try {
		payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
	} catch {
		return undefined;
	}

	if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
		return undefined;
	}

	const {o, i, d} = payload as Record<string, unknown>;
	if (typeof o !== 'string' || !timestampPattern.test(o) || typeof i !== 'number' || !Number.isSafeInteger(i) || i < 1) {
		return undefined;
	}

	if (d !== undefined && d !== 'prev') {
		return undefined;
	}

	return {occurredAt: o, id: i, direction: d === 'prev' ? 'prev' : 'next'};
}
