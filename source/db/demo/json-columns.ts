// The one place the demo turns a JSON column's value into the text the column stores. Today every column is written
// as plain JSON. The platform writes its EncryptedAttribute columns (DESIGN.md §2: communities.settings,
// community_members.metadata/.preferences, community_posts.metadata/.lifecycle, community_points_rules.metadata) as
// `{"v":1,"ciphertext":…}` envelopes: once the crypto module exists, the encrypting writer goes here, and every
// demo row (hand-made in TypeScript or bulk SQL literals) picks it up.

export type DemoJsonColumn =
	| 'communities.settings'
	| 'community_members.metadata'
	| 'community_levels.rewards'
	| 'community_points_rules.metadata';

/** The stored text of `json` (already-serialised JSON, kept byte for byte) in `column`; NULL stays NULL. */
export function jsonColumnText(column: DemoJsonColumn, json: string | null): string | null {
	void column; // Plain JSON for every column until the encrypted writer is plugged in (see above).
	return json;
}
