import type {MikroORM} from '@mikro-orm/core';
import {Sql} from './sql.js';

// A table's columns as the database's own catalog states them (order, type, NULL, literal default), read once per
// table and connection, so a writer can predict the row the database will hold after its INSERT or UPDATE and hash
// every column of it (DESIGN.md §8) without reading the batch's rows back.
//
// What cannot be predicted — a column with a non-literal default (CURRENT_TIMESTAMP, uuid(), …) left out of an INSERT,
// an `ON UPDATE` column left out of an UPDATE, a generated column, a MySQL 8 native JSON column written (the server
// normalises its text; MariaDB's JSON is LONGTEXT and keeps it) — is read back by `rowsAfterWrite`: one SELECT of
// just those columns per batch, and only on a table that has such a column (on MariaDB and SQLite
// the platform's tables have none).
// source/engine/row-hash.ts `afterHashes` hashes the rows `rowsAfterWrite` predicts.
// `completeRow` / `rowAfterUpdate` throw instead, naming the table and column.

/** How the database hands a column's values back, which decides how a written value is stored. */
export type ColumnKind = 'integer' | 'real' | 'decimal' | 'text' | 'other';

export type ColumnDefault = {readonly kind: 'literal'; readonly value: string | number | null} | {readonly kind: 'none'} | {readonly kind: 'expression'; readonly text: string};

export type ColumnShape = {
	readonly name: string;
	readonly kind: ColumnKind;
	/** DECIMAL scale on MariaDB/MySQL (the driver returns the text with exactly this many decimals). */
	readonly scale: number | null;
	readonly nullable: boolean;
	readonly autoIncrement: boolean;
	readonly generated: boolean;
	/** The server rewrites what it is given (MySQL 8's native JSON stores a normalised text): read it back. */
	readonly rewritten: boolean;
	readonly defaultValue: ColumnDefault;
	/** `ON UPDATE <expression>`, or null. */
	readonly onUpdate: string | null;
};

export type TableShape = {readonly table: string; readonly dialect: Sql['dialect']; readonly columns: readonly ColumnShape[]};

const shapes = new WeakMap<MikroORM, Map<string, Promise<TableShape>>>();

/** The table's shape, read from the catalog once per table and connection. */
export async function readTableShape(sql: Sql, table: string): Promise<TableShape> {
	let byTable = shapes.get(sql.orm);
	if (!byTable) {
		byTable = new Map();
		shapes.set(sql.orm, byTable);
	}

	let shape = byTable.get(table);
	if (!shape) {
		shape = (sql.dialect === 'sqlite' ? sqliteShape(sql, table) : mysqlShape(sql, table)).catch((error: unknown) => {
			byTable.delete(table);
			throw error;
		});
		byTable.set(table, shape);
	}

	return shape;
}

/** Tests that recreate a table under a live connection. */
export function forgetTableShapes(orm: MikroORM): void {
	shapes.delete(orm);
}

async function sqliteShape(sql: Sql, table: string): Promise<TableShape> {
	// table_xinfo also lists generated columns (hidden 2 and 3), which SELECT * returns.
	const rows = await sql.all<{name: string; type: string; notnull: number; dflt_value: string | null; pk: number; hidden: number}>('SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid', [table]);
	const primaryKeys = rows.filter(row => Number(row.pk) > 0);
	const columns = rows
		.filter(row => Number(row.hidden) !== 1)
		.map(row => {
			const type = String(row.type ?? '').toUpperCase();
			const nullable = Number(row.notnull) === 0;
			// An INTEGER PRIMARY KEY is the rowid: numbered by SQLite when not given.
			const autoIncrement = Number(row.pk) > 0 && primaryKeys.length === 1 && type === 'INTEGER';
			return {
				name: String(row.name),
				kind: sqliteKind(type),
				scale: null,
				nullable,
				autoIncrement,
				generated: Number(row.hidden) >= 2,
				rewritten: false,
				defaultValue: parseDefault(row.dflt_value, nullable, 'sqlite'),
				onUpdate: null,
			};
		});
	return checked({table, dialect: 'sqlite', columns});
}

/** SQLite's column affinity rules (https://www.sqlite.org/datatype3.html §3.1). */
function sqliteKind(type: string): ColumnKind {
	if (type.includes('INT')) {
		return 'integer';
	}

	if (type.includes('CHAR') || type.includes('CLOB') || type.includes('TEXT')) {
		return 'text';
	}

	if (type === '' || type.includes('BLOB')) {
		return 'other';
	}

	return type.includes('REAL') || type.includes('FLOA') || type.includes('DOUB') ? 'real' : 'decimal';
}

async function mysqlShape(sql: Sql, table: string): Promise<TableShape> {
	const version = String((await sql.get<{version: string}>('SELECT VERSION() AS version'))?.version ?? '');
	const rows = await sql.all<{name: string; dflt: string | null; nullable: string; type: string; scale: unknown; extra: string | null}>(
		`SELECT COLUMN_NAME AS name, COLUMN_DEFAULT AS dflt, IS_NULLABLE AS nullable, DATA_TYPE AS type, NUMERIC_SCALE AS scale, EXTRA AS extra
		 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
		[table],
	);
	// MariaDB ≥ 10.2.7 quotes string literals in COLUMN_DEFAULT and writes expressions bare; MySQL writes both bare and
	// marks expressions DEFAULT_GENERATED.
	const flavour = /mariadb/i.test(version) ? 'mariadb' : 'mysql';
	const columns = rows.map(row => {
		const extra = String(row.extra ?? '');
		const nullable = String(row.nullable).toUpperCase() === 'YES';
		const kind = mysqlKind(String(row.type).toLowerCase());
		const generated = /\b(?:VIRTUAL|STORED|PERSISTENT) GENERATED\b/i.test(extra);
		const defaultValue = flavour === 'mysql' && row.dflt !== null && !/DEFAULT_GENERATED/i.test(extra) && kind !== 'integer' && kind !== 'real' && kind !== 'decimal' ? {kind: 'literal' as const, value: String(row.dflt)} : parseDefault(row.dflt, nullable, flavour);
		return {
			name: String(row.name),
			kind,
			scale: row.scale === null || row.scale === undefined ? null : Number(row.scale),
			nullable,
			autoIncrement: /auto_increment/i.test(extra),
			generated,
			// MariaDB's JSON is LONGTEXT (kept byte for byte, DATA_TYPE longtext); MySQL's reorders keys and spaces.
			rewritten: String(row.type).toLowerCase() === 'json',
			defaultValue,
			onUpdate: /on update (.+)$/i.exec(extra)?.[1] ?? null,
		};
	});
	return checked({table, dialect: 'mysql', columns});
}

function mysqlKind(type: string): ColumnKind {
	if (['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'year'].includes(type)) {
		return 'integer';
	}

	if (['float', 'double', 'real'].includes(type)) {
		return 'real';
	}

	if (type === 'decimal' || type === 'numeric') {
		return 'decimal';
	}

	return type === 'bit' || type.endsWith('blob') || type.endsWith('binary') ? 'other' : 'text';
}

function checked(shape: TableShape): TableShape {
	if (shape.columns.length === 0) {
		throw new Error(`Table ${shape.table} does not exist (no columns in the catalog).`);
	}

	return shape;
}

const bareNumber = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * A catalog default: a quoted string → that string, a bare number → that number, NULL (or no default on a nullable
 * column) → null; anything else is an expression the database evaluates.
 */
export function parseDefault(raw: string | null | undefined, nullable: boolean, flavour: 'sqlite' | 'mariadb' | 'mysql'): ColumnDefault {
	if (raw === null || raw === undefined) {
		return nullable ? {kind: 'literal', value: null} : {kind: 'none'};
	}

	const text = raw.trim();
	if (/^null$/i.test(text)) {
		return {kind: 'literal', value: null};
	}

	const quoted = /^'((?:[^']|'')*)'$/s.exec(text) ?? (flavour === 'sqlite' ? /^"((?:[^"]|"")*)"$/s.exec(text) : null);
	if (quoted) {
		const body = quoted[1]!.replaceAll(text.startsWith("'") ? "''" : '""', text[0]!);
		return {kind: 'literal', value: flavour === 'sqlite' ? body : body.replaceAll(/\\(.)/gs, (_, character: string) => backslashEscapes[character] ?? character)};
	}

	if (bareNumber.test(text)) {
		return {kind: 'literal', value: Number(text)};
	}

	if (flavour === 'sqlite' && /^(?:true|false)$/i.test(text)) {
		return {kind: 'literal', value: /^true$/i.test(text) ? 1 : 0};
	}

	return {kind: 'expression', text};
}

const backslashEscapes: Record<string, string> = {n: '\n', t: '\t', r: '\r', 0: '\0', b: '\b', Z: '\u001A'};

/** A value as the database stores and returns it in this column (driver conventions of `Sql`). */
export function storedValue(shape: TableShape, column: ColumnShape, value: unknown): unknown {
	if (value === null || value === undefined) {
		return null;
	}

	const scalar = typeof value === 'boolean' || typeof value === 'bigint' ? Number(value) : value;
	// Only numeric columns look at the text (a batch passes every row's JSON text through here).
	const numeric = column.kind !== 'text' && column.kind !== 'other' && (typeof scalar === 'number' || (typeof scalar === 'string' && bareNumber.test(scalar.trim())));
	switch (column.kind) {
		case 'integer':
		case 'real': {
			return numeric ? Number(scalar) : scalar;
		}

		case 'decimal': {
			if (!numeric) {
				return scalar;
			}

			// MariaDB/MySQL hand DECIMAL over as text with the column's scale; SQLite's NUMERIC affinity stores a number.
			return shape.dialect === 'mysql' && column.scale !== null ? Number(scalar).toFixed(column.scale) : Number(scalar);
		}

		case 'text': {
			return typeof scalar === 'number' ? String(scalar) : scalar;
		}

		default: {
			return scalar;
		}
	}
}

/** A predicted row and the columns the prediction cannot know (read them back, or give up). */
type Prediction = {readonly row: Record<string, unknown>; readonly unknown: readonly string[]};

const storedDefaults = new WeakMap<TableShape, unknown[]>();

/** Each column's literal default as stored (undefined: none), worked out once per shape. */
function defaultsOf(shape: TableShape): unknown[] {
	let defaults = storedDefaults.get(shape);
	if (!defaults) {
		defaults = shape.columns.map(column => (column.defaultValue.kind === 'literal' ? storedValue(shape, column, column.defaultValue.value) : undefined));
		storedDefaults.set(shape, defaults);
	}

	return defaults;
}

/** `id`, when given, is the row's `id` (kept apart from `written` so a batch need not copy every row to add it). */
function predict(shape: TableShape, before: Readonly<Record<string, unknown>> | null, written: Readonly<Record<string, unknown>>, id?: number): Prediction {
	const row: Record<string, unknown> = {};
	const unknown: string[] = [];
	const defaults = defaultsOf(shape);
	let matched = 0;
	const {columns} = shape;
	for (let index = 0; index < columns.length; index++) {
		const column = columns[index]!;
		const inWritten = Object.hasOwn(written, column.name);
		if (inWritten) {
			matched++;
		}

		const isId = id !== undefined && column.name === 'id';
		const isWritten = inWritten || isId;
		if (column.generated) {
			unknown.push(column.name);
			row[column.name] = null;
		} else if (isWritten) {
			row[column.name] = storedValue(shape, column, isId ? id : written[column.name]);
			if (column.rewritten && row[column.name] !== null) {
				unknown.push(column.name);
			}
		} else if (before) {
			if (!Object.hasOwn(before, column.name)) {
				throw new Error(`The row of ${shape.table} before its update lacks column ${column.name}: read every column (SELECT *) before the update.`);
			}

			if (column.onUpdate !== null) {
				unknown.push(column.name);
			}

			row[column.name] = before[column.name] ?? null;
		} else if (column.defaultValue.kind === 'literal') {
			row[column.name] = defaults[index];
			if (column.rewritten && row[column.name] !== null) {
				unknown.push(column.name);
			}
		} else {
			unknown.push(column.name);
			row[column.name] = null;
		}
	}

	const names = Object.keys(written);
	if (matched !== names.length) {
		const stray = names.find(name => !shape.columns.some(column => column.name === name));
		throw new Error(`Column ${shape.table}.${stray ?? '?'} is written but does not exist in the database's catalog.`);
	}

	return {row, unknown};
}

function certain(shape: TableShape, prediction: Prediction, what: string): Record<string, unknown> {
	const column = shape.columns.find(candidate => candidate.name === prediction.unknown[0]);
	if (column) {
		const reason = column.generated
			? 'is a generated column'
			: column.rewritten
				? 'is stored as the server rewrites it (native JSON)'
			: column.onUpdate !== null && what === 'update'
				? `changes ON UPDATE (${column.onUpdate})`
				: column.defaultValue.kind === 'expression'
					? `has a non-literal default (${column.defaultValue.text})`
					: 'has no default';
		throw new Error(`Cannot predict ${shape.table}.${column.name} after this ${what}: it ${reason} and is not written. Write it, or use rowsAfterWrite (reads it back).`);
	}

	return prediction.row;
}

/** The row as the database will hold it after an INSERT of `written` (the new `id` included). */
export function completeRow(shape: TableShape, written: Readonly<Record<string, unknown>>): Record<string, unknown> {
	return certain(shape, predict(shape, null, written), 'insert');
}

/** The row after an UPDATE that writes `written` into `before` (every column, as read before the update). */
export function rowAfterUpdate(shape: TableShape, before: Readonly<Record<string, unknown>>, written: Readonly<Record<string, unknown>>): Record<string, unknown> {
	return certain(shape, predict(shape, before, written), 'update');
}

/** One row a writer inserted (`before` absent) or updated (`before`: every column as read before the update). */
export type RowWrite = {readonly id: number; readonly written: Readonly<Record<string, unknown>>; readonly before?: Readonly<Record<string, unknown>>};

const idsPerRead = 5000;

/**
 * Every written row as the database now holds it, in order, predicted from the catalog; columns the catalog cannot
 * predict (see the top of this file) are read back in one SELECT per 5,000 rows.
 */
export async function rowsAfterWrite(tx: Sql, table: string, writes: readonly RowWrite[]): Promise<Array<Record<string, unknown>>> {
	if (writes.length === 0) {
		return [];
	}

	const shape = await readTableShape(tx, table);
	const predictions = writes.map(write => predict(shape, write.before ?? null, write.written, write.id));
	const unknown = [...new Set(predictions.flatMap(prediction => prediction.unknown))];
	if (unknown.length > 0) {
		await fillFromDatabase(tx, table, unknown, writes, predictions);
	}

	return predictions.map(prediction => prediction.row);
}

async function fillFromDatabase(tx: Sql, table: string, columns: readonly string[], writes: readonly RowWrite[], predictions: readonly Prediction[]): Promise<void> {
	const quote = (name: string) => `\`${name.replaceAll('`', '``')}\``;
	const ids = writes.map(write => write.id);
	const found = new Map<number, Record<string, unknown>>();
	for (let start = 0; start < ids.length; start += idsPerRead) {
		const slice = ids.slice(start, start + idsPerRead);
		const rows = await tx.all<Record<string, unknown>>(`SELECT id, ${columns.map(column => quote(column)).join(', ')} FROM ${quote(table)} WHERE id IN (${Sql.placeholders(slice.length)})`, slice);
		for (const row of rows) {
			found.set(Number(row.id), row);
		}
	}

	for (const [index, prediction] of predictions.entries()) {
		const row = found.get(writes[index]!.id);
		if (!row) {
			throw new Error(`Row ${table} #${writes[index]!.id} was not found right after it was written.`);
		}

		for (const column of prediction.unknown) {
			prediction.row[column] = row[column];
		}
	}
}

/** Every column of the rows with these ids (for a writer that has not read them whole before its update). */
export async function rowsById(tx: Sql, table: string, ids: readonly number[]): Promise<Map<number, Record<string, unknown>>> {
	const found = new Map<number, Record<string, unknown>>();
	for (let start = 0; start < ids.length; start += idsPerRead) {
		const slice = ids.slice(start, start + idsPerRead);
		const rows = await tx.all<Record<string, unknown>>(`SELECT * FROM \`${table.replaceAll('`', '``')}\` WHERE id IN (${Sql.placeholders(slice.length)})`, slice);
		for (const row of rows) {
			found.set(Number(row.id), row);
		}
	}

	return found;
}
