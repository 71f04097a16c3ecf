import {resolve} from 'node:path';
import {type DatabaseTarget, type Profile, parseDatabaseUrl} from '../db/database-url.js';
import {UsageError} from '../core/errors.js';

export type ResolvedTarget = {readonly profile: Profile; readonly target: DatabaseTarget; readonly implicitDemo: boolean};

/**
 * DESIGN.md §10: `--profile` wins; otherwise a sqlite: URL means testing, a server URL production, and no URL the
 * demo profile (announced on stderr by the caller, so a forgotten URL never touches production silently).
 */
export function resolveTarget(options: {readonly databaseUrl?: string; readonly profile?: Profile}, env: NodeJS.ProcessEnv, cwd: string): ResolvedTarget {
	const url = options.databaseUrl ?? (env.DATABASE_URL === '' ? undefined : env.DATABASE_URL);
	const parsed = url === undefined ? undefined : parseDatabaseUrl(url);
	const profile: Profile = options.profile ?? (parsed ? (parsed.dialect === 'sqlite' ? 'testing' : 'production') : 'demo');
	if (parsed) {
		return {profile, target: parsed, implicitDemo: false};
	}

	if (profile === 'production') {
		throw new UsageError('The production profile needs a database.', {hint: 'Pass --database-url=mysql://user:password@host:3306/database or set DATABASE_URL.'});
	}

	const file = resolve(cwd, 'storage', `${profile}.sqlite`);
	return {profile, target: {dialect: 'sqlite', path: file}, implicitDemo: options.profile === undefined};
}
