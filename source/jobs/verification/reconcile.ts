import type {Sql} from '../../db/sql.js';
import {reconcileActivities} from './activities.js';
import type {Difference} from './differences.js';
import {reconcileMembers} from './members.js';
import type {RunsToVerify} from './runs.js';
import type {BackfillScope, MigrationScope} from './scope.js';

// Step 3 of DESIGN.md §7: for sampled users, recompute from the source tables what the runs had to leave behind, and
// compare with what exists. Set-based per slice of users (a handful of queries per 500 users, never one per row).

export type {Difference} from './differences.js';

const usersPerSlice = 500;

export type Reconciliation = {readonly users: number; readonly memberships_expected: number; readonly activities_expected: number; readonly differences: Difference[]};

/** Every difference for the sampled users, ordered by user, then community, then kind. */
export async function reconcileUsers(sql: Sql, users: readonly number[], runs: RunsToVerify, scopes: {backfill: BackfillScope; migration: MigrationScope}): Promise<Reconciliation> {
	const differences: Difference[] = [];
	let memberships = 0;
	let activities = 0;
	for (let start = 0; start < users.length; start += usersPerSlice) {
		const slice = users.slice(start, start + usersPerSlice);
		memberships += await reconcileMembers(sql, slice, scopes.backfill, runs.backfill.runId, differences);
		activities += await reconcileActivities(sql, slice, scopes.migration, differences);
	}

	differences.sort((a, b) => a.user_id - b.user_id || (a.community_id ?? 0) - (b.community_id ?? 0) || a.kind.localeCompare(b.kind));
	return {users: users.length, memberships_expected: memberships, activities_expected: activities, differences};
}
