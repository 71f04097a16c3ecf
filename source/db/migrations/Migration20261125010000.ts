import {Migration} from './migration-base.js';
import {migrationDialect} from './column-types.js';

/**
 * The backfill's work table (DESIGN.md §6): one row per (community, user) pair of a run, built set-based in one pass
 * at the run's start and walked by `id` in keyset batches. A batch deletes its pairs in the transaction that writes
 * their members and the checkpoint, so the table only ever holds the unfinished part of the latest run.
 */
export class Migration20261125010000 extends Migration {
	override async up(): Promise<void> {
		const {sqlite, id, engine} = migrationDialect(this.driver);
		const big = sqlite ? 'INTEGER' : 'BIGINT UNSIGNED';
		// DATETIME on MariaDB so comparisons with community_members.joined_at (TIMESTAMP) are temporal, not textual.
		const timestamp = sqlite ? 'TEXT' : 'DATETIME';

		this.addSql(`CREATE TABLE runbook_backfill_pairs (
  id ${id},
  run_id VARCHAR(36) NOT NULL,
  community_id ${big} NOT NULL,
  user_id ${big} NOT NULL,
  target_priority INTEGER NOT NULL,
  target_joined_at ${timestamp} NOT NULL,
  first_enrollment_id ${big} NOT NULL,
  first_course_id ${big} NOT NULL,
  enrollment_count INTEGER NOT NULL
)${engine}`);
		this.addSql('CREATE INDEX runbook_backfill_pairs_run_index ON runbook_backfill_pairs (run_id, id)');
	}

	override async down(): Promise<void> {
		this.addSql('DROP TABLE IF EXISTS runbook_backfill_pairs');
	}
}
