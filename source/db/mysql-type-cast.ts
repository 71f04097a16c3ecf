/** The part of mysql2's typeCast field API this cast uses (mysql2 typings: `parsers/typeCast.d.ts`). */
export type TypeCastField = {
	readonly type: string;
	string(encoding?: string): string | null;
};

/**
 * mysql2 typeCast: a MySQL 8 native JSON column comes back as its stored text, byte for byte, instead of the object
 * mysql2 would parse it into (DESIGN.md §2: the driver must hand JSON over as text, so an encrypted envelope's `\/`
 * and key order survive a read-modify-write). MariaDB's JSON is LONGTEXT and never reaches this branch.
 *
 * mysql2 reports JSON with the binary character set, so the text is read as UTF-8 explicitly (as its own JSON parser
 * does). Every other type goes through mysql2's own conversion (`next`), which keeps MikroORM's dateStrings and
 * supportBigNumbers in force.
 */
export function jsonColumnsAsText(field: TypeCastField, next: () => unknown): unknown {
	if (field.type === 'JSON') {
		return field.string('utf8');
	}

	return next();
}
