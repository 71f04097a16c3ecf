import {createHash, randomBytes} from 'node:crypto';
import {mkdirSync, readdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import {appKeysFrom, writeJsonColumn} from '../../source/core/laravel-crypt.js';
import type {Sql} from '../../source/db/sql.js';
import {loadCommunityLinks} from '../../source/jobs/classroom-links.js';
import {createTestDatabase, dialects, type TestDatabase} from '../helpers/databases.js';
// The six columns and Crypt::decryptString from the documented format, written apart from the tool's own module.
import {decryptPayload, encryptedColumns as encrypted, keyBytesOf} from '../helpers/encrypted-columns.js';
import {buildDataset} from './dataset.js';
import {checksums, cli, temporaryFolder} from './helpers.js';

// Issue 14 on the platform's real schema, through the real CLI on both databases: the six encrypted attributes
// hold envelopes as the platform writes them, a full `run --yes --backup-ack` verifies and rolls back byte for byte,
// the metadata the backfill wrote decrypts (independently of the tool's code) to exactly DESIGN.md §3.2, and a wrong
// or missing key stops at step 1 with nothing written.

const small = {users: 150, enrollments: 600, posts: 80, comments: 80, certificates: 25};
const tables = ['users', 'courses', 'enrollments', 'certificates', 'communities', 'community_categories', 'community_levels', 'community_points_rules', 'community_members', 'community_posts', 'community_post_comments', 'profile_activities', 'personal_access_tokens', 'community_points_ledger'];

/** The platform's form: every non-empty value of the six columns as {"v":1,"ciphertext":…} under `appKey`. */
async function encryptColumns(sql: Sql, appKey: string): Promise<void> {
	const keys = appKeysFrom({APP_KEY: appKey}, 'AES-256-CBC', 'test');
	for (const [table, column] of encrypted) {
		const rows = await sql.all<{id: unknown; value: string | null}>(`SELECT id, ${column} AS value FROM ${table} WHERE ${column} IS NOT NULL`);
		for (const row of rows) {
			await sql.run(`UPDATE ${table} SET ${column} = ? WHERE id = ?`, [writeJsonColumn(JSON.parse(row.value!) as Record<string, unknown>, 'envelope', keys), row.id]);
		}
	}
}

function appRootWith(key: string | null): string {
	const root = temporaryFolder('runbook-fidelity-');
	mkdirSync(join(root, 'storage', 'app'), {recursive: true});
	if (key) {
		writeFileSync(join(root, '.env'), `APP_NAME=Academy\nAPP_KEY=${key}\n`);
	}

	return root;
}

const newKey = () => `base64:${randomBytes(32).toString('base64')}`;

async function withDataset(dialect: (typeof dialects)[number], key: string | null, body: (database: TestDatabase) => Promise<void>): Promise<void> {
	const database = await createTestDatabase(dialect);
	try {
		await buildDataset(database.sql, small);
		if (key) {
			await encryptColumns(database.sql, key);
		}

		await body(database);
	} finally {
		await database.destroy();
	}
}

for (const dialect of dialects) {
	test(`encrypted attributes: run --yes verifies, the metadata decrypts to §3.2, envelopes stay envelopes, rollback is byte-identical [${dialect}]`, async t => {
		t.timeout(10 * 60_000);
		const key = newKey();
		await withDataset(dialect, key, async database => {
			const root = appRootWith(key);
			const common = [`--database-url=${database.url}`, '--profile=testing', `--app-root=${root}`, '--output=json'];
			const before = await checksums(database.sql, tables);
			const run = await cli(['run', '--yes', '--backup-ack', ...common]);
			t.is(run.code, 0, run.stderr);
			const steps = run.json!.steps as Array<{id: string; status: string; run_id: string | null}>;
			t.is(steps.find(step => step.id === 'verify')!.status, 'succeeded');
			const backfillRun = steps.find(step => step.id === 'backfill-membership')!.run_id!;

			for (const [table, column] of encrypted) {
				const plain = await database.sql.get<{n: unknown}>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} IS NOT NULL AND ${column} NOT LIKE '{"v":1,"ciphertext":%'`);
				t.is(Number(plain!.n), 0, `${table}.${column} holds envelopes only`);
			}

			const stamped = await database.sql.all<{community_id: unknown; user_id: unknown; metadata: string}>(`SELECT community_id, user_id, metadata FROM community_members WHERE updated_at >= created_at ORDER BY id`);
			let checked = 0;
			for (const row of stamped.filter(candidate => candidate.metadata !== null)) {
				const envelope = JSON.parse(row.metadata) as {v: number; ciphertext: string};
				const value = JSON.parse(decryptPayload(envelope.ciphertext, keyBytesOf(key))) as {backfill?: {classrooms?: Record<string, unknown>}};
				const classrooms = value.backfill?.classrooms;
				if (classrooms?.run_id !== backfillRun) {
					continue;
				}

				checked++;
				t.deepEqual(Object.keys(classrooms).sort(), ['course_id', 'idempotency_key', 'run_id', 'source', 'synced_at']);
				t.is(classrooms.source, 'classrooms');
				t.is(classrooms.idempotency_key, createHash('sha1').update(`classrooms:${Number(row.community_id)}:${Number(row.user_id)}:${String(classrooms.course_id)}`).digest('hex'));
				t.regex(String(classrooms.synced_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
			}

			t.true(checked > 20, `the run stamped members (${checked} checked)`);
			const rollback = await cli(['rollback', ...common]);
			t.is(rollback.code, 0, rollback.stderr);
			t.deepEqual(await checksums(database.sql, tables), before, 'every table as before the run, envelopes byte for byte');
		});
	});

	test(`plain legacy JSON: the same run writes plain JSON (no key needed) and rolls back byte-identical [${dialect}]`, async t => {
		t.timeout(10 * 60_000);
		await withDataset(dialect, null, async database => {
			const root = appRootWith(null);
			const common = [`--database-url=${database.url}`, '--profile=testing', `--app-root=${root}`, '--output=json'];
			const before = await checksums(database.sql, tables);
			const run = await cli(['run', '--yes', '--backup-ack', ...common]);
			t.is(run.code, 0, run.stderr);
			for (const [table, column] of encrypted) {
				const envelopes = await database.sql.get<{n: unknown}>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} LIKE '%ciphertext%'`);
				t.is(Number(envelopes!.n), 0, `${table}.${column} stays plain`);
			}

			const rollback = await cli(['rollback', ...common]);
			t.is(rollback.code, 0, rollback.stderr);
			t.deepEqual(await checksums(database.sql, tables), before);
		});
	});

	test(`a wrong or missing key stops at step 1 (exit 3) naming what cannot be read; nothing is written [${dialect}]`, async t => {
		t.timeout(10 * 60_000);
		await withDataset(dialect, newKey(), async database => {
			const before = await checksums(database.sql, tables);
			for (const [label, key] of [['wrong key', newKey()], ['missing key', null]] as const) {
				const root = appRootWith(key);
				const common = [`--database-url=${database.url}`, '--profile=testing', `--app-root=${root}`, '--output=json'];
				// --restart: the first attempt left its session unfinished (resumable once the key is fixed).
				const run = await cli(['run', '--yes', '--backup-ack', '--restart', ...common]);
				t.is(run.code, 3, `${label}: ${run.stderr}`);
				const steps = run.json!.steps as Array<{id: string; status: string}>;
				t.deepEqual(steps.filter(step => step.status !== 'pending' && step.status !== 'skipped').map(step => [step.id, step.status]), [['prerequisites', 'failed']], label);
				t.regex(JSON.stringify(run.json!.steps), key ? /encrypted communities\.settings: \d+ of \d+ cannot be read — communities row \d+: cannot decrypt \(bad-mac\)/ : /no APP_KEY was found \(looked for APP_KEY in /, label);
				t.deepEqual(await checksums(database.sql, tables), before, `${label}: no table changed`);
				const folders = readdirSync(join(root, 'storage', 'app', 'upgrade', 'stage11'));
				t.is(folders.length, 1, `${label}: one evidence folder, of the session`);
				t.deepEqual(readdirSync(join(root, 'storage', 'app', 'upgrade', 'stage11', folders[0]!, 'steps')).sort(), ['01-prerequisites.json', '10-rollback.json'], `${label}: the failed prerequisites and the rollback not chosen, nothing else`);

				const job = await cli(['backfill-membership', '--source=classrooms', ...common]);
				t.is(job.code, 3, `${label}: the job's own check stops it too`);
				t.is(readdirSync(join(root, 'storage', 'app', 'upgrade', 'stage11')).length, 1, `${label}: the refused job left no evidence folder`);
				t.deepEqual(await checksums(database.sql, tables), before);
			}
		});
	});

	test(`APP_TIMEZONE=Asia/Dhaka: timestamps are written as Dhaka wall clock, and --since selects by Dhaka time [${dialect}]`, async t => {
		t.timeout(10 * 60_000);
		await withDataset(dialect, null, async database => {
			const root = appRootWith(null);
			writeFileSync(join(root, '.env'), 'APP_TIMEZONE=Asia/Dhaka\n');
			// An enrollment at a known instant in a linked course, for a user without a membership there.
			// A new user, enrolled once in a linked course: their membership's joined_at can only come from this enrollment.
			const {communities} = await loadCommunityLinks(database.sql);
			const course = {course_id: communities.flatMap(community => community.links)[0]!.courseId};
			const inserted = await database.sql.run(`INSERT INTO users (name, email, role, password, created_at) VALUES ('Dhaka User', 'dhaka@example.test', 'student', 'x', '2025-01-01 00:00:00')`);
			const user = {id: inserted.insertId};
			const instant = Date.UTC(2025, 5, 30, 20, 15, 0) / 1000; // 2025-06-30 20:15 UTC = 2025-07-01 02:15 in Dhaka (+06:00)
			await database.sql.run('INSERT INTO enrollments (user_id, course_id, entry_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [user!.id, course!.course_id, instant, '2025-07-01 02:15:00', '2025-07-01 02:15:00']);
			// Posts around 2025-08-01 06:00 in Dhaka, which is 2025-08-01T00:00:00Z.
			const post = await database.sql.get<Record<string, unknown>>('SELECT community_id, author_id FROM community_posts WHERE deleted_at IS NULL AND author_id IN (SELECT id FROM users) ORDER BY id LIMIT 1');
			await database.sql.run(`UPDATE community_posts SET published_at = '2020-01-01 00:00:00', created_at = '2020-01-01 00:00:00'`);
			await database.sql.run(`UPDATE community_post_comments SET created_at = '2020-01-01 00:00:00'`);
			await database.sql.run(`UPDATE certificates SET created_at = '2020-01-01 00:00:00'`);
			for (const [published, body] of [['2025-08-01 05:30:00', 'before'], ['2025-08-01 06:30:00', 'after']]) {
				await database.sql.run(`INSERT INTO community_posts (community_id, author_id, type, body_md, visibility, published_at, created_at) VALUES (?, ?, 'text', ?, 'community', ?, ?)`, [post!.community_id, post!.author_id, body, published, published]);
			}

			const common = [`--database-url=${database.url}`, '--profile=testing', `--app-root=${root}`, '--output=json'];
			const started = Date.now();
			const backfill = await cli(['backfill-membership', '--source=classrooms', ...common]);
			t.is(backfill.code, 0, backfill.stderr);
			const member = await database.sql.get<{joined_at: string; created_at: string}>('SELECT joined_at, created_at FROM community_members WHERE user_id = ? ORDER BY id LIMIT 1', [user!.id]);
			t.is(String(member!.joined_at).slice(0, 19), '2025-07-01 02:15:00', 'entry_date as Dhaka wall clock');
			const dhakaNow = (ms: number) => new Date(ms + 6 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
			t.true(String(member!.created_at) >= dhakaNow(started - 5000) && String(member!.created_at) <= dhakaNow(Date.now() + 5000), `created_at ${String(member!.created_at)} is Dhaka wall clock`);

			const migrate = await cli(['migrate-legacy-activity', '--since=2025-08-01T00:00:00Z', ...common]);
			t.is(migrate.code, 0, migrate.stderr);
			t.like(migrate.json!.metrics, {posts_processed: 1, comments_processed: 0, completions_processed: 0});
			const occurred = await database.sql.all<{occurred_at: string}>(`SELECT a.occurred_at FROM profile_activities a JOIN community_posts p ON p.id = a.subject_id WHERE a.subject_type = 'community_post' AND p.body_md IN ('before', 'after')`);
			t.deepEqual(occurred.map(row => String(row.occurred_at).slice(0, 19)), ['2025-08-01 06:30:00']);
		});
	});
}
