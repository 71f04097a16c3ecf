import type {Sql} from '../sql.js';
import {type DemoLayout, demoPasswordHash, specialCommunities as c, specialUsers as u} from './cast.js';
import {formatTimestamp, insertRows} from './insert-rows.js';
import type {DemoJsonColumns} from './json-columns.js';
import {type DemoClock, daySeconds} from './sizes.js';

// Hand-crafted users, enrollments and community_members: one row per nasty case of the backfill (DESIGN.md §3.2).
// The comment on each row says what the backfill must do with it.

/** Inserts the hand-crafted rows; returns how many enrollments and members it wrote (bulk ids follow them). */
export async function insertNastyPeople(sql: Sql, layout: DemoLayout, clock: DemoClock, json: DemoJsonColumns): Promise<{enrollments: number; members: number}> {
	const ago = (days: number, hour = 9) => clock.reference - days * daySeconds + hour * 3600;
	const at = (days: number, hour?: number) => formatTimestamp(ago(days, hour));

	const people: Array<[number, string, string, string]> = [
		[u.internal, 'Ops Internal', 'ops@example.test', 'admin'],
		[u.duplicateEnrollment, 'Dana Duplicate', 'dana.duplicate@example.test', 'student'],
		[u.multiCourse, 'Milo Multicourse', 'milo.multicourse@example.test', 'student'],
		[u.lowerRole, 'Lea Lowerrole', 'lea.lowerrole@example.test', 'instructor'],
		[u.left, 'Liam Left', 'liam.left@example.test', 'student'],
		[u.pending, 'Pia Pending', 'pia.pending@example.test', 'student'],
		[u.banned, 'Bo Banned', 'bo.banned@example.test', 'student'],
		[u.softDeleted, 'Sam Softdeleted', 'sam.softdeleted@example.test', 'student'],
		[u.laterJoined, 'Lou Laterjoined', 'lou.laterjoined@example.test', 'student'],
		[u.withMetadata, 'Mia Metadata', 'mia.metadata@example.test', 'student'],
		[u.unchanged, 'Una Unchanged', 'una.unchanged@example.test', 'instructor'],
		[u.noEntryDate, 'Ned Noentrydate', 'ned.noentrydate@example.test', 'student'],
		[u.manyCommunities, 'Max Manycommunities', 'max.manycommunities@example.test', 'instructor'],
		[u.deletedCommunityOnly, 'Dee Deletedcommunity', 'dee.deletedcommunity@example.test', 'student'],
		[u.unlinkedOnly, 'Uli Unlinked', 'uli.unlinked@example.test', 'student'],
	];
	await insertRows(
		sql,
		'users',
		['id', 'role', 'email', 'status', 'name', 'email_verified_at', 'password', 'created_at', 'updated_at'],
		people.map(([id, name, email, role]) => [id, role, email, 1, name, at(760 - id), demoPasswordHash, at(760 - id, 8), at(760 - id)]),
	);

	const orphan = layout.orphanUserBase;
	// [user_id, course_id, entry_date days ago (null = NULL entry_date), created_at days ago]
	const enrollments: Array<[number | null, number | null, number | null, number]> = [
		[u.internal, 1, 400, 400], // community 1 (student → member) and 2 (teacher → admin)
		[u.internal, 4, 200, 200], // communities 3 (owner) and 7 (assistant → moderator)
		[u.duplicateEnrollment, 1, 300, 300], // the same user + course three times:
		[u.duplicateEnrollment, 1, 250, 250], // one pair per community, the earliest entry_date wins
		[u.duplicateEnrollment, 1, 300, 300], // exact duplicate of the first
		[u.multiCourse, 1, 320, 320], // community 1 via course 1 (member) …
		[u.multiCourse, 2, 310, 310], // … and course 2 (Teacher → admin): target admin
		[u.lowerRole, 2, 330, 330], // existing member → raised to admin
		[u.left, 1, 280, 280], // left → reactivated
		[u.pending, 3, 270, 270], // pending in community 2 → reactivated, joined_at moved earlier
		[u.banned, 1, 260, 260], // banned → skipped
		[u.banned, 2, 255, 255], // banned → skipped (second enrollment of the same pair)
		[u.softDeleted, 4, 240, 240], // soft-deleted member of community 3 → restored, role raised to owner
		[u.laterJoined, 1, 420, 420], // joined_at later than this → moved earlier
		[u.withMetadata, 3, 350, 350], // FACILITATOR → moderator; metadata keys kept
		[u.unchanged, 4, 100, 100], // already owner since earlier → unchanged
		[u.noEntryDate, 7, null, 90], // entry_date NULL → joined_at = created_at
		[u.noEntryDate, 12, null, 80], // entry_date NULL (community 1, student)
		[u.manyCommunities, 4, 150, 150], // communities 3 (owner) and 7 (already admin: never lowered)
		[u.manyCommunities, 5, 140, 140], // community 3 ('weird' → member)
		[u.deletedCommunityOnly, 6, 130, 130], // community 3 ({} → member); community 6 is soft-deleted
		[u.unlinkedOnly, layout.unlinkedCourse, 120, 120], // no community links this course
		[null, 1, 110, 110], // NULL user → skipped
		[null, 2, null, 105], // NULL user and NULL entry_date → skipped
		[0, 1, 100, 100], // user 0 → skipped
		[orphan + 1, 2, 95, 95], // user not in users → skipped
		[orphan + 2, 4, 90, 90], // user not in users → skipped (two communities)
		[u.multiCourse, null, 85, 85], // NULL course: linked nowhere
		[u.internal, layout.size.courses + 50, 80, 80], // course that does not exist
	];
	await insertRows(
		sql,
		'enrollments',
		['id', 'user_id', 'course_id', 'enrollment_type', 'entry_date', 'created_at', 'updated_at'],
		enrollments.map(([userId, courseId, entryDays, createdDays], index) => [index + 1, userId, courseId, index % 3 === 0 ? 'paid' : 'free', entryDays === null ? null : ago(entryDays), at(createdDays, 10), at(createdDays, 10)]),
	);

	// [community, user, role, status, joined days ago, metadata, deleted days ago]
	const members: Array<[number, number, string, string, number, string | null, number | null]> = [
		[c.studyLab, u.internal, 'member', 'active', 500, null, null], // link says admin → raised
		[c.alumniNetwork, u.internal, 'admin', 'active', 390, '{"source":"invite"}', null], // community without links: untouched
		[c.campusGeneral, u.lowerRole, 'member', 'active', 400, null, null], // → admin
		[c.campusGeneral, u.left, 'member', 'left', 380, '{"left_reason":"graduated"}', null], // → reactivated
		[c.studyLab, u.pending, 'member', 'pending', 10, null, null], // → reactivated, joined_at earlier
		[c.campusGeneral, u.banned, 'member', 'banned', 600, '{"banned_by":1,"reason":"spam"}', null], // never touched
		[c.instructorsLounge, u.softDeleted, 'moderator', 'active', 450, null, 50], // → restored, owner
		[c.campusGeneral, u.laterJoined, 'admin', 'active', 30, null, null], // → joined_at moved earlier
		[c.studyLab, u.withMetadata, 'member', 'active', 360, '{"source":"csv-import","tags":["vip"],"preferences":{"digest":"weekly"}}', null],
		[c.instructorsLounge, u.unchanged, 'owner', 'active', 700, '{"source":"founder"}', null], // unchanged
		[c.peerTutors, u.manyCommunities, 'admin', 'active', 600, null, null], // link says moderator: never lowered
		[c.archivedCohort, u.left, 'member', 'left', 650, null, null], // in a soft-deleted community
		[c.campusGeneral, u.deletedCommunityOnly, 'member', 'left', 90, null, 60], // soft-deleted and left; no enrollment for it
	];
	// Notification preferences of a few members (ids); 10 keeps PHP's empty array from before the column was encrypted.
	const preferences: Readonly<Record<number, string>> = {3: '{"digest":"daily"}', 9: '{"digest":"weekly","language":"de"}', 10: '[]'};
	await insertRows(
		sql,
		'community_members',
		['id', 'community_id', 'user_id', 'role', 'status', 'joined_at', 'points', 'lifetime_points', 'level', 'preferences', 'metadata', 'created_at', 'updated_at', 'deleted_at'],
		members.map(([communityId, userId, role, status, joinedDays, metadata, deletedDays], index) => [
			index + 1,
			communityId,
			userId,
			role,
			status,
			at(joinedDays),
			(index * 53) % 400,
			(index * 53) % 400 + index * 10,
			1 + Math.floor(((index * 53) % 400) / 150),
			json.text('community_members.preferences', index + 1, preferences[index + 1] ?? null),
			json.text('community_members.metadata', index + 1, metadata),
			at(joinedDays),
			at(deletedDays ?? joinedDays),
			deletedDays === null ? null : at(deletedDays),
		]),
	);
	return {enrollments: enrollments.length, members: members.length};
}
