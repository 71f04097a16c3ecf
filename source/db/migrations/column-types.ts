/** The spellings the runbook migrations need per dialect; the SQL they produce is the same as written inline. */
export function migrationDialect(driver: object) {
	const sqlite = driver.constructor.name.toLowerCase().includes('sqlite');
	return {
		sqlite,
		id: sqlite ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY',
		engine: sqlite ? '' : ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
	};
}
