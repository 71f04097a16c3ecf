import test from 'ava';
import {canonicalJson, sha256} from '../../source/core/canonical-json.js';
import {createHash} from 'node:crypto';
import {hashLike, legacyRowHash, pickTracked, trackedColumns, wholeRowHash} from '../../source/engine/row-hash.js';

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

test('wholeRowHash: r2: + base64url sha256 of the sorted-key JSON of every column, drivers normalised', t => {
	const row = {id: 7, points: 12n, role: 'member', is_online: true, last_seen_at: null, metadata: '{"a":1}', gone: undefined};
	// Worked out by hand: keys sorted, bigint and boolean as numbers, undefined as null.
	const json = '{"gone":null,"id":7,"is_online":1,"last_seen_at":null,"metadata":"{\\"a\\":1}","points":12,"role":"member"}';
	t.is(wholeRowHash(row), `r2:${createHash('sha256').update(json).digest('base64url')}`);
	t.regex(wholeRowHash(row), /^r2:[\w-]{43}$/);
	t.true(wholeRowHash(row).length <= 64, 'fits runbook_undo.after_hash VARCHAR(64)');
	t.is(wholeRowHash({role: 'member', gone: null, metadata: '{"a":1}', last_seen_at: null, is_online: 1, points: 12, id: 7}), wholeRowHash(row), 'key order and driver spellings do not matter');
	t.not(wholeRowHash({...row, last_seen_at: '2026-11-26 09:30:00'}), wholeRowHash(row), 'any column counts');
	t.not(wholeRowHash({...row, points: '12'}), wholeRowHash(row), 'a string is not a number');
});

test('hashLike: a legacy (bare hex) after_hash is compared with the legacy hash, an r2: one with the whole-row hash', t => {
	const row = {id: 3, community_id: 1, user_id: 2, role: 'member', status: 'active', joined_at: '2026-01-01 00:00:00', deleted_at: null, metadata: '{}', last_seen_at: 'x'};
	t.is(hashLike(legacyRowHash('community_members', row), 'community_members', row), legacyRowHash('community_members', row));
	t.is(hashLike('r2:whatever', 'community_members', row), wholeRowHash(row));
	t.is(hashLike(null, 'community_members', row), legacyRowHash('community_members', row));
});
