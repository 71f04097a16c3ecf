import {datasetAppKey, generateDataset} from '../../bench/dataset.js';
import {testEachDialect} from '../helpers/databases.js';
import {openStored} from '../helpers/encrypted-columns.js';

// bench/dataset.ts: the caller picks the plain or the encrypted variant, for the demo sizes and the scaled generator.

for (const rows of [300, 2000]) {
	testEachDialect(`the encrypted variant (${rows} enrollments) holds envelopes under datasetAppKey(seed); the plain one plain JSON`, async (t, database) => {
		const encrypted = await generateDataset(database, rows, 9, 'encrypted');
		t.is(encrypted.variant, 'encrypted');
		t.is(encrypted.rows.enrollments, rows);
		const read = async () => (await database.sql.all<{id: number; settings: string}>('SELECT id, settings FROM communities WHERE settings IS NOT NULL ORDER BY id')).map(row => openStored(row.settings, datasetAppKey(9)));
		const envelopes = await read();
		t.true(envelopes.filter(value => value.form === 'envelope').length >= 5);

		const plain = await generateDataset(database, rows, 9);
		t.is(plain.variant, 'plain');
		const values = await read();
		t.deepEqual(values.map(value => value.form), values.map(() => 'plain'));
		t.deepEqual(values.map(value => value.value), envelopes.map(value => value.value));
	});
}
