// (d) The naive way, for scale: an ORM round trip per enrollment (findOne user, findOne member, persist, flush), as
// the original runbook's Eloquent loop did. Run on a sample and extrapolated to the whole table.
import {createHash} from 'node:crypto';
import {CommunityMember} from '../entities/community-member.js';
import {Enrollment} from '../entities/enrollment.js';
import {User} from '../entities/user.js';
import type {Database} from '../source/db/orm.js';
import {formatTimestamp, isoSeconds} from '../source/core/timestamps.js';
import {loadCommunityLinks, rolePriority, type RoleName} from '../source/jobs/classroom-links.js';
import {jsonColumns, writeFormOf} from '../source/jobs/platform/json-columns.js';
import type {PlatformSettings} from '../source/core/platform-settings.js';

export async function naiveOrmBackfill(database: Database, sample: number, platform: PlatformSettings): Promise<{enrollments: number; written: number; seconds: number}> {
	// The links through the platform's key (the encrypted variant's settings are envelopes), metadata written in the
	// form the job writes it.
	const {communities} = await loadCommunityLinks(database.sql, {keys: platform.keys});
	const columns = jsonColumns(platform, await writeFormOf(database.sql, platform));
	const byCourse = new Map<number, Array<{communityId: number; role: RoleName}>>();
	for (const link of communities.flatMap(community => community.links)) {
		byCourse.set(link.courseId, [...(byCourse.get(link.courseId) ?? []), {communityId: link.communityId, role: link.role}]);
	}

	const em = database.orm.em.fork();
	const now = new Date();
	const stamp = formatTimestamp(now);
	const started = performance.now();
	const enrollments = await em.find(Enrollment, {}, {orderBy: {id: 'asc'}, limit: sample});
	let written = 0;
	for (const enrollment of enrollments) {
		const links = enrollment.courseId === null || enrollment.courseId === undefined ? [] : (byCourse.get(enrollment.courseId) ?? []);
		for (const link of links) {
			if (!enrollment.userId || enrollment.userId <= 0) continue;
			const user = await em.findOne(User, {id: enrollment.userId});
			if (!user) continue;
			const joinedAt = enrollment.entryDate ? formatTimestamp(new Date(enrollment.entryDate * 1000)) : (enrollment.createdAt ?? stamp);
			const key = createHash('sha1').update(`classrooms:${link.communityId}:${user.id}:${enrollment.courseId}`).digest('hex');
			const metadata = columns.write({backfill: {classrooms: {course_id: enrollment.courseId, source: 'classrooms', idempotency_key: key, synced_at: isoSeconds(now), run_id: 'bench-orm'}}});
			const member = await em.findOne(CommunityMember, {communityId: link.communityId, userId: user.id}, {disableIdentityMap: true});
			if (!member) {
				em.persist(em.create(CommunityMember, {communityId: link.communityId, userId: user.id, role: link.role, status: 'active', joinedAt, metadata, createdAt: stamp, updatedAt: stamp, deletedAt: null}));
			} else if (member.status !== 'banned') {
				// A loaded member is updated with nativeUpdate: flushing a managed CommunityMember on SQLite writes NaN
				// into its timestamp columns (string properties with columnType 'timestamp'), see the bench report.
				const role = (rolePriority[member.role] ?? 1) < rolePriority[link.role] ? link.role : member.role;
				await em.nativeUpdate(CommunityMember, {id: member.id}, {role, status: 'active', deletedAt: null, metadata, ...(String(member.joinedAt) > joinedAt ? {joinedAt} : {})});
			}

			await em.flush();
			// Detach what was flushed: a managed CommunityMember re-flushed on SQLite hits the same NaN problem.
			em.clear();
			written++;
		}
	}

	return {enrollments: enrollments.length, written, seconds: (performance.now() - started) / 1000};
}
