import type {MigrationScope} from './scope.js';

// The three legacy sources of DESIGN.md §3.3 as portable SQL conditions over alias `s` (the source row) and `u`
// (its user): the rows a migration run with this scope had to turn into activity rows.

export type LegacyKind = 'posts' | 'comments' | 'certificates';

export type LegacySourceSql = {
	readonly kind: LegacyKind;
	readonly table: string;
	readonly userColumn: string;
	readonly activityType: string;
	readonly subjectType: string;
	/** occurred_at of the activity, as SQL over `s`. */
	readonly occurredAt: string;
	/** Filters (soft deletes, since, the run's id bound) AND validity (user exists, id > 0, occurred_at set). */
	readonly where: string;
	readonly parameters: readonly unknown[];
};

export function legacySources(scope: MigrationScope): LegacySourceSql[] {
	const definitions = [
		{kind: 'posts', table: 'community_posts', userColumn: 'author_id', activityType: 'community_post.published', subjectType: 'community_post', occurredAt: 'COALESCE(s.published_at, s.created_at)', base: 's.deleted_at IS NULL', since: '(s.published_at >= ? OR s.created_at >= ?)', sinceCount: 2, bound: scope.bounds.posts},
		{kind: 'comments', table: 'community_post_comments', userColumn: 'author_id', activityType: 'community_comment.posted', subjectType: 'community_comment', occurredAt: 's.created_at', base: 's.deleted_at IS NULL', since: 's.created_at >= ?', sinceCount: 1, bound: scope.bounds.comments},
		{kind: 'certificates', table: 'certificates', userColumn: 'user_id', activityType: 'course.completed', subjectType: 'certificate', occurredAt: 's.created_at', base: 's.user_id IS NOT NULL', since: 's.created_at >= ?', sinceCount: 1, bound: scope.bounds.certificates},
	] as const;
	return definitions.map(definition => {
		const conditions: string[] = [definition.base, `s.${definition.userColumn} > 0`, `${definition.occurredAt} IS NOT NULL`];
		const parameters: unknown[] = [];
		if (definition.bound !== null) {
			conditions.push('s.id <= ?');
			parameters.push(definition.bound);
		}

		if (scope.since !== null) {
			conditions.push(definition.since);
			parameters.push(...Array.from({length: definition.sinceCount}, () => scope.since));
		}

		return {
			kind: definition.kind,
			table: definition.table,
			userColumn: definition.userColumn,
			activityType: definition.activityType,
			subjectType: definition.subjectType,
			occurredAt: definition.occurredAt,
			where: conditions.join(' AND '),
			parameters,
		};
	});
}
