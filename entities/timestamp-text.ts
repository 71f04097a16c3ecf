import type {EntityProperty, Platform} from '@mikro-orm/core';
import {Type} from './mikro-orm-core.js';

/**
 * A timestamp kept as the text 'YYYY-MM-DD HH:MM:SS', never a JavaScript Date. MikroORM maps `columnType('timestamp')`
 * to its DateTime type, which on SQLite read '2024-01-02 03:04:05' back as an ISO date and stored strings written
 * through the EntityManager as epoch milliseconds. The tool's own tables (DATETIME(3) on MariaDB, TEXT on SQLite)
 * hold UTC text, and raw SQL and the EntityManager must agree on it.
 */
export class TimestampText extends Type<string | null, string | null> {
	override convertToDatabaseValue(value: string | null | undefined): string | null {
		return value ?? null;
	}

	override convertToJSValue(value: unknown): string | null {
		if (value === null || value === undefined) {
			return null;
		}

		if (value instanceof Date) {
			return value.toISOString().slice(0, 19).replace('T', ' ');
		}

		// DATETIME(3) comes back as '2024-01-02 03:04:05.000' from mysql2 (dateStrings).
		return String(value).slice(0, 19);
	}

	override compareAsType(): string {
		return 'string';
	}

	override getColumnType(_property: EntityProperty, platform: Platform): string {
		return platform.constructor.name === 'SqlitePlatform' ? 'text' : 'datetime(3)';
	}
}
