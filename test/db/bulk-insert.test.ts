import {assumeNonConsecutiveIds, insertRowsWithIds} from '../../source/db/bulk-insert.js';
import {testEachDialect} from '../helpers/databases.js';

// The ids a batch records in its undo rows come from the INSERT's insert id, not from reading the rows back: they must
// be exactly the rows' ids, in row order, across the statement slices of a large batch and after gaps in the ids.
testEachDialect('insertRowsWithIds returns each row its own id, across slices and after gaps', async (t, database) => {
	const {sql} = database;
	await sql.run("INSERT INTO courses (title) VALUES ('gap-maker')");
	await sql.run("DELETE FROM courses WHERE title = 'gap-maker'");
	// 1 column → 8,000 rows per statement: 8,100 rows make two statements.
	const titles = Array.from({length: 8100}, (_, index) => [`Course ${String(index).padStart(5, '0')}`]);
	const ids = await sql.transaction(async tx => insertRowsWithIds(tx, 'courses', ['title'], titles));
	t.truthy(ids);
	const stored = await sql.all<{id: unknown; title: unknown}>("SELECT id, title FROM courses WHERE title LIKE 'Course %' ORDER BY id");
	t.is(stored.length, titles.length);
	t.deepEqual(ids, stored.map(row => Number(row.id)));
	t.deepEqual(titles.map(([title]) => title), stored.map(row => String(row.title)));
});

testEachDialect('without consecutive ids the rows are still inserted and the caller is told to look them up', async (t, database) => {
	assumeNonConsecutiveIds(database.orm);
	const ids = await insertRowsWithIds(database.sql, 'courses', ['title'], [['one'], ['two']]);
	t.is(ids, null);
	t.is(Number((await database.sql.get<{n: unknown}>("SELECT COUNT(*) AS n FROM courses WHERE title IN ('one', 'two')"))?.n), 2);
});
