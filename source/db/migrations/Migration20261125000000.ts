import {Migration} from './migration-base.js';
import {migrationDialect} from './column-types.js';

/** The tool's own bookkeeping tables (DESIGN.md §4). They never touch the platform's tables. */
export class Migration20261125000000 extends Migration {
	override async up(): Promise<void> {
		const {sqlite, id, engine} = migrationDialect(this.driver);
		const ts = sqlite ? 'TEXT' : 'DATETIME(3)';
		const json = sqlite ? 'TEXT' : 'LONGTEXT';
		const big = sqlite ? 'INTEGER' : 'BIGINT';

		this.addSql(`CREATE TABLE runbook_runs (
  id ${id},
  run_id VARCHAR(36) NOT NULL,
  job VARCHAR(64) NOT NULL,
  params ${json} NOT NULL,
  params_hash VARCHAR(64) NOT NULL,
  code_version VARCHAR(64) NOT NULL,
  mode VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL,
  \`cursor\` ${json} NULL,
  metrics ${json} NULL,
  state ${json} NULL,
  host VARCHAR(255) NOT NULL,
  pid INTEGER NOT NULL,
  parent_run_id VARCHAR(36) NULL,
  started_at ${ts} NOT NULL,
  heartbeat_at ${ts} NULL,
  finished_at ${ts} NULL,
  UNIQUE (run_id)
)${engine}`);
		this.addSql('CREATE INDEX runbook_runs_job_status_index ON runbook_runs (job, status)');

		this.addSql(`CREATE TABLE runbook_batches (
  id ${id},
  run_id VARCHAR(36) NOT NULL,
  seq INTEGER NOT NULL,
  source VARCHAR(64) NOT NULL,
  first_key ${big} NULL,
  last_key ${big} NULL,
  batch_size INTEGER NOT NULL DEFAULT 0,
  rows_scanned INTEGER NOT NULL,
  rows_written INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  committed_at ${ts} NOT NULL,
  UNIQUE (run_id, seq)
)${engine}`);

		this.addSql(`CREATE TABLE runbook_undo (
  id ${id},
  run_id VARCHAR(36) NOT NULL,
  seq INTEGER NOT NULL,
  table_name VARCHAR(255) NOT NULL,
  row_id ${big} NULL,
  action VARCHAR(16) NOT NULL,
  \`before\` ${json} NULL,
  after_hash VARCHAR(64) NULL,
  undone_at ${ts} NULL
)${engine}`);
		this.addSql('CREATE INDEX runbook_undo_run_seq_index ON runbook_undo (run_id, seq)');

		this.addSql(`CREATE TABLE runbook_locks (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  run_id VARCHAR(36) NOT NULL,
  host VARCHAR(255) NOT NULL,
  pid INTEGER NOT NULL,
  acquired_at ${ts} NOT NULL,
  heartbeat_at ${ts} NOT NULL
)${engine}`);
	}

	override async down(): Promise<void> {
		for (const table of ['runbook_locks', 'runbook_undo', 'runbook_batches', 'runbook_runs']) {
			this.addSql(`DROP TABLE IF EXISTS ${table}`);
		}
	}
}
