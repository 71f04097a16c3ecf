/** "members_created" → "Members Created" (the CLI's table labels). */
export function headline(key: string): string {
	return key
		.split('_')
		.map(word => (word === '' ? word : word[0]!.toUpperCase() + word.slice(1)))
		.join(' ');
}
