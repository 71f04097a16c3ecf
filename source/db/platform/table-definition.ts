// One platform table as schema-mariadb.sql states it. Columns are written in MariaDB syntax, in table order:
// `<name> <type> NULL|NOT NULL [DEFAULT <literal>] [AUTO_INCREMENT]`; the primary key is always `id`.

export type OnDelete = 'CASCADE' | 'SET NULL' | 'RESTRICT';

export type TableDefinition = {
	readonly columns: readonly string[];
	/** Unique keys by their Laravel names, columns in key order. */
	readonly unique?: Readonly<Record<string, readonly string[]>>;
	/** Plain (non-unique) keys by their Laravel names. */
	readonly indexes?: Readonly<Record<string, readonly string[]>>;
	/** Foreign keys by constraint name: [column, referenced table (its `id`), ON DELETE action]. */
	readonly foreignKeys?: Readonly<Record<string, readonly [column: string, references: string, onDelete: OnDelete]>>;
};

export type ColumnDefinition = {
	readonly name: string;
	/** The MariaDB type as written, e.g. `bigint unsigned`, `varchar(255)`, `enum('a','b')`. */
	readonly type: string;
	readonly nullable: boolean;
	/** The DEFAULT literal as written (`0`, `'public'`), or undefined when the column has none. */
	readonly defaultValue: string | undefined;
	readonly autoIncrement: boolean;
	/** The allowed values of an enum column. */
	readonly enumValues: readonly string[] | undefined;
};

const columnPattern = /^(\w+) (.+?) (NOT NULL|NULL)(?: DEFAULT (.+?))?( AUTO_INCREMENT)?$/;

export function parseColumn(definition: string): ColumnDefinition {
	const match = columnPattern.exec(definition);
	if (!match) {
		throw new Error(`Unreadable platform column definition: ${definition}`);
	}

	const [, name, type, nullability, defaultValue, autoIncrement] = match as unknown as [string, string, string, string, string | undefined, string | undefined];
	const enumList = /^enum\((.+)\)$/.exec(type)?.[1];
	return {
		name,
		type,
		nullable: nullability === 'NULL',
		defaultValue,
		autoIncrement: autoIncrement !== undefined,
		enumValues: enumList === undefined ? undefined : [...enumList.matchAll(/'([^']*)'/g)].map(value => value[1]!),
	};
}
