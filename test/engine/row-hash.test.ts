import test from 'ava';
import {canonicalJson, sha256} from '../../source/core/canonical-json.js';
import {pickTracked, legacyRowHash, trackedColumns} from '../../source/engine/row-hash.js';

// legacyRowHash writes the canonical JSON by hand for speed; the undo rows of every existing run were hashed through
// canonicalJson, so the two must never disagree.
const reference = (table: string, row: Record<string, unknown>) => sha256(canonicalJson({table, ...pickTracked(table, row)}));

const awkward: unknown[] = [null, undefined, 0, -1, 1.5, Number.NaN, 12_345_678_901n, true, '', '0', 'tab\tnew\nline', '"quoted" \\ back', 'ünïcødé ✓ 😀', '{"backfill":{"a":1}}', '2026-11-25 10:00:00'];

test('legacyRowHash equals sha256 of the canonical JSON of the tracked columns, for every table and awkward values', t => {
	let checked = 0;
	for (const [table, columns] of Object.entries(trackedColumns)) {
		for (const [offset] of awkward.entries()) {
			const row: Record<string, unknown> = {id: 99, untracked: 'ignored'};
			for (const [index, column] of columns.entries()) {
				row[column] = awkward[(offset + index) % awkward.length];
			}

			t.is(legacyRowHash(table, row), reference(table, row), `${table} with offset ${offset}`);
			checked++;
		}
	}

	t.true(checked >= awkward.length * 6);
});

test('legacyRowHash ignores untracked columns and changes with any tracked one', t => {
	const row = {community_id: 1, user_id: 2, role: 'member', status: 'active', joined_at: '2026-01-01 00:00:00', deleted_at: null, metadata: '{}'};
	t.is(legacyRowHash('community_members', {...row, updated_at: 'x'}), legacyRowHash('community_members', row));
	t.not(legacyRowHash('community_members', {...row, role: 'admin'}), legacyRowHash('community_members', row));
	t.throws(() => legacyRowHash('no_such_table', row), {message: /No tracked columns/});
});
