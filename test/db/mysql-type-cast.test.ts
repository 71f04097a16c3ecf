import test from 'ava';
import {jsonColumnsAsText, type TypeCastField} from '../../source/db/mysql-type-cast.js';
import {createTestDatabase} from '../helpers/databases.js';

// MySQL 8 (native JSON, which mysql2 would parse) is not on the test machine; MariaDB's JSON is LONGTEXT. So the
// cast is exercised directly with fields shaped like mysql2's typeCast wrappers (lib/parsers/text_parser.js `wrap`).

function fakeField(type: string, text: string | null): TypeCastField & {readonly encodings: Array<string | undefined>} {
	const encodings: Array<string | undefined> = [];
	return {
		type,
		encodings,
		string(encoding?: string) {
			encodings.push(encoding);
			return text;
		},
	};
}

const storedJson = String.raw`{"v":1,"ciphertext":"eyJpdiI6\/abc","name":"Zo\u00eb","n":1.50}`;

test('a JSON field comes back as its stored text, byte for byte, read as UTF-8, without calling next()', t => {
	const field = fakeField('JSON', storedJson);
	let nextCalls = 0;
	const value = jsonColumnsAsText(field, () => {
		nextCalls++;
		return JSON.parse(storedJson);
	});
	t.is(value, storedJson);
	t.deepEqual(field.encodings, ['utf8']);
	t.is(nextCalls, 0);
	t.is(jsonColumnsAsText(fakeField('JSON', null), () => 'parsed'), null, 'SQL NULL stays null');
});

test('every other type is left to mysql2 (next), and its value is read only once', t => {
	for (const type of ['TIMESTAMP', 'DATETIME', 'LONGLONG', 'NEWDECIMAL', 'VAR_STRING', 'BLOB', 'STRING']) {
		const field = fakeField(type, 'must not be read');
		const marker = {type};
		t.is(jsonColumnsAsText(field, () => marker), marker, type);
		t.deepEqual(field.encodings, [], `${type}: string() not called`);
	}
});

test('through the tool\'s MariaDB connection, JSON (LONGTEXT) and TIMESTAMP columns come back as the stored text', async t => {
	const database = await createTestDatabase('mysql', {platform: false, runbookTables: false});
	try {
		await database.sql.run('CREATE TABLE documents (id INT PRIMARY KEY, body JSON NULL, at TIMESTAMP NULL DEFAULT NULL, amount DECIMAL(10,2) NULL)');
		await database.sql.run('INSERT INTO documents VALUES (?, ?, ?, ?)', [1, storedJson, '2025-10-26 02:30:00', '12.50']);
		t.deepEqual(await database.sql.get('SELECT id, body, at, amount FROM documents'), {id: 1, body: storedJson, at: '2025-10-26 02:30:00', amount: '12.50'});
	} finally {
		await database.destroy();
	}
});
