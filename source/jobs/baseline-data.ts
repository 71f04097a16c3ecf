// DESIGN.md §3.1: the baseline rows, by natural key. Changing a value here makes the next run an update.

export const categories = [
	{slug: 'general', name: 'General', sort_order: 1, color_hex: '#2563eb', tagline: 'Campus-wide announcements and wins'},
	{slug: 'study-groups', name: 'Study Groups', sort_order: 2, color_hex: '#7c3aed', tagline: 'Peer cohorts working through the same track'},
	{slug: 'instructors', name: 'Instructors', sort_order: 3, color_hex: '#059669', tagline: 'Faculty coordination hub'},
	{slug: 'alumni', name: 'Alumni', sort_order: 4, color_hex: '#ea580c', tagline: 'Where alumni mentor and recruit'},
	{slug: 'local-chapters', name: 'Local Chapters', sort_order: 5, color_hex: '#0ea5e9', tagline: 'Meet-ups in your city'},
].map(category => ({...category, icon_path: `communities/icons/${category.slug}.svg`}));

export const levels = [
	{level: 1, name: 'Newbie', points_required: 0},
	{level: 2, name: 'Contributor', points_required: 100},
	{level: 3, name: 'Leader', points_required: 500},
	{level: 4, name: 'Champion', points_required: 1500},
];

export const pointsRules = [
	{action: 'post', points: 10, cooldown_seconds: 0},
	{action: 'comment', points: 4, cooldown_seconds: 0},
	{action: 'like_received', points: 2, cooldown_seconds: 0},
	{action: 'login_streak', points: 1, cooldown_seconds: 86_400},
	{action: 'course_complete', points: 50, cooldown_seconds: 0},
	{action: 'assignment_submit', points: 15, cooldown_seconds: 0},
];
