/**
 * JSON as PHP's `json_encode($value)` writes it with its default flags, so the platform's encrypted columns and
 * their plaintexts are byte-for-byte what the platform itself would store: `/` escaped as `\/`, every non-ASCII
 * character as `\uXXXX` (lowercase hex; characters outside the BMP as their UTF-16 surrogate pair).
 *
 * Two deliberate differences from PHP, both invisible once decoded:
 * - an empty object is written `{}`: PHP would write an empty array as `[]`, and we cannot tell which one the
 *   platform meant; both decode to an empty collection on the platform's side and to `{}` on ours.
 * - integer-like object keys come first in ascending order, as JavaScript orders them; PHP keeps insertion order.
 *   Key order carries no meaning in these columns.
 *
 * Numbers are written as JavaScript prints them (PHP writes a float like 1.0 as `1.0`; we have no floats there).
 */
export function phpJsonEncode(value: unknown): string {
	const json = JSON.stringify(value);
	if (json === undefined) {
		throw new TypeError('phpJsonEncode: the value has no JSON form.');
	}

	// `/` and non-ASCII can only occur inside JSON strings, so a replacement over the whole text is exact.
	// JSON.stringify already escapes lone surrogates; paired ones arrive as two code units, each escaped here.
	return json.replaceAll('/', String.raw`\/`).replaceAll(/[\u0080-\uFFFF]/g, character => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
