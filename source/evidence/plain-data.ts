// Evidence stores JSON only: Dates become ISO strings, bigints strings, Errors {name, message, code}.
export function toPlainData(value: unknown): unknown {
	if (value === undefined) {
		return null;
	}

	const text = JSON.stringify(value, (_key, item: unknown) => {
		if (typeof item === 'bigint') {
			return item.toString();
		}

		if (item instanceof Error) {
			return {name: item.name, message: item.message, code: (item as {code?: unknown}).code ?? null};
		}

		if (item instanceof Map) {
			return Object.fromEntries(item);
		}

		if (item instanceof Set) {
			return [...item];
		}

		return item;
	});
	return text === undefined ? null : (JSON.parse(text) as unknown);
}
