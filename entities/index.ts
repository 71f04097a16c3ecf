import {User} from './user.js';
import {Course} from './course.js';
import {Enrollment} from './enrollment.js';
import {Certificate} from './certificate.js';
import {Community} from './community.js';
import {CommunityCategory} from './community-category.js';
import {CommunityLevel} from './community-level.js';
import {CommunityPointsRule} from './community-points-rule.js';
import {CommunityMember} from './community-member.js';
import {CommunityPost} from './community-post.js';
import {CommunityPostComment} from './community-post-comment.js';
import {ProfileActivity} from './profile-activity.js';
import {PersonalAccessToken} from './personal-access-token.js';
import {RunbookRun} from './runbook-run.js';
import {RunbookBatch} from './runbook-batch.js';
import {RunbookUndo} from './runbook-undo.js';
import {RunbookLock} from './runbook-lock.js';

/** Every table the tool knows, as an explicit list (no folder globbing, so tsx and tsc agree). */
export const entities = [
	User,
	Course,
	Enrollment,
	Certificate,
	Community,
	CommunityCategory,
	CommunityLevel,
	CommunityPointsRule,
	CommunityMember,
	CommunityPost,
	CommunityPostComment,
	ProfileActivity,
	PersonalAccessToken,
	RunbookRun,
	RunbookBatch,
	RunbookUndo,
	RunbookLock,
];
