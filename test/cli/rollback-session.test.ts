import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import test from 'ava';
import {generateDemo} from '../../source/db/demo/generate-demo.js';
import {takeSnapshot} from '../../source/evidence/snapshot.js';
import {createTestDatabase, dialects} from '../helpers/databases.js';
import {runCli} from '../helpers/cli.js';

const touched = ['community_categories', 'community_levels', 'community_points_rules', 'community_members', 'profile_activities', 'communities'];

for (const dialect of dialects) {
	test(`run --yes, then a plain rollback undoes the whole runbook session: every touched table as before, flags off [${dialect}]`, async t => {
		const database = await createTestDatabase(dialect);
		t.teardown(async () => database.destroy());
		// Plain JSON columns (demo --legacy-plain) until the jobs read the encrypted form.
		await generateDemo(database.sql, {size: 'tiny', seed: 3, attributes: {form: 'plain'}});
		const before = await takeSnapshot(database.sql, touched);
		const cwd = mkdtempSync(join(tmpdir(), 'runbook-session-rollback-'));
		const url = `--database-url=${database.url}`;
		const profile = dialect === 'mysql' ? ['--profile=testing'] : [];
		const run = await runCli(['run', '--yes', '--backup-ack', '--output=json', url, ...profile], {cwd});
		t.is(run.code, 0, run.stderr);
		t.notDeepEqual(await takeSnapshot(database.sql, touched), before);

		const rollback = await runCli(['rollback', '--output=json', url, ...profile], {cwd});
		t.is(rollback.code, 0, rollback.stderr);
		const document = JSON.parse(rollback.stdout) as {status: string; target_run: string; metrics: Record<string, number>};
		t.is(document.status, 'succeeded');
		t.is(document.target_run, (JSON.parse(run.stdout) as {run_id: string}).run_id, 'the runbook run is the target');
		t.regex(rollback.stderr, /Rolling back runbook run [\da-f-]+ \(5 job runs, newest first\)/, 'seed-baseline, backfill, migrate, enable-feature and verify');
		t.deepEqual(await takeSnapshot(database.sql, touched), before);
		const again = await runCli(['rollback', url, ...profile], {cwd});
		t.is(again.code, 0, again.stderr);
		t.regex(again.stderr, /Nothing to undo/);
	});
}
