import type {SizeProfile} from './sizes.js';

// The hand-crafted cast of the demo: users, communities and courses whose rows exercise every nasty case of the
// jobs (DESIGN.md §3). They take the lowest ids of their tables; bulk rows follow.

/** Special users: ids 1..15. Only hand-crafted rows refer to them, so their cases stay exactly as described. */
export const specialUsers = {
	internal: 1, // the platform admin ops@example.test: creates the communities; memberships, activity, the Sanctum token
	duplicateEnrollment: 2, // enrolled in course 1 three times (two with the same entry_date)
	multiCourse: 3, // courses 1 and 2, both linked to community 1 (student + Teacher → admin)
	lowerRole: 4, // active member of community 1 as `member`; the link says admin
	left: 5, // status `left` in community 1
	pending: 6, // status `pending` in community 2, joined_at later than the enrollment
	banned: 7, // banned in community 1: never touched
	softDeleted: 8, // member row in community 3 with deleted_at set
	laterJoined: 9, // active admin of community 1 whose joined_at is later than the enrollment's entry_date
	withMetadata: 10, // active member of community 2 with metadata keys that must be kept
	unchanged: 11, // active owner of community 3 since long ago: nothing to write
	noEntryDate: 12, // enrollments with entry_date NULL (created_at set)
	manyCommunities: 13, // courses 4 and 5: communities 3 and 7; admin in 7, where the link says moderator
	deletedCommunityOnly: 14, // course 6: community 3 and the soft-deleted community 6
	unlinkedOnly: 15, // only the last course, which no community links
} as const;

export const specialUserCount = 15;

/**
 * users.password is NOT NULL: every demo user gets this bcrypt-shaped placeholder (`$2y$10$` + 22 salt + 31 hash
 * characters, as Laravel's Hash::make writes them). Not a real hash: nobody can log in with it.
 */
export const demoPasswordHash = '$2y$10$communityrunbookdemo00placeholder.not.a.real.hash.000';

/** Hand-crafted communities: ids 1..9; bulk communities follow. */
export const specialCommunities = {
	campusGeneral: 1, // object keyed by course id, mixed-case roles, other keys
	studyLab: 2, // list with invalid entries ("abc", -3, 0, missing)
	instructorsLounge: 3, // object with invalid keys, 'owner', 'weird', {} (no default_role)
	alumniNetwork: 4, // settings with other keys, no links
	localChapterBerlin: 5, // settings NULL
	archivedCohort: 6, // soft-deleted, with links
	peerTutors: 7, // list, 'assistant' and 'teacher'
	brokenLinks: 8, // links present, none valid
	emptyLinks: 9, // classroom_links: {}
} as const;

export const specialCommunityCount = 9;

/** Courses the hand-crafted communities link: 1..7 and 12. Bulk communities link courses up to 70 % of the catalogue. */
export const handLinkedCourses = [1, 2, 3, 4, 5, 6, 7, 12] as const;

/** The layout of ids for one size. */
export type DemoLayout = {
	readonly size: SizeProfile;
	/** First bulk user id and number of bulk users. */
	readonly firstBulkUser: number;
	readonly bulkUsers: number;
	/** User ids that are not in `users` start here. */
	readonly orphanUserBase: number;
	/** The last course: never linked. */
	readonly unlinkedCourse: number;
	/** Bulk communities link courses 1..linkableCourses. */
	readonly linkableCourses: number;
};

export function demoLayout(size: SizeProfile): DemoLayout {
	return {
		size,
		firstBulkUser: specialUserCount + 1,
		bulkUsers: size.users - specialUserCount,
		orphanUserBase: size.users + 1000,
		unlinkedCourse: size.courses,
		linkableCourses: Math.floor(size.courses * 0.7),
	};
}
