import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {PrerequisiteFailed} from '../core/errors.js';

/**
 * The platform's feature flags (DESIGN.md §2): `<app root>/storage/app/feature-flags.json` (`{"<flag>": true|false}`),
 * overridden per flag by the `APP_FEATURE_FLAGS` environment variable (a JSON object), with rollout metadata in
 * `<app root>/storage/app/feature-rollouts.json` (`{"<flag>": {enabled, percentage, segments, updated_at}}`).
 *
 * The rule this module applies (one place, used by the reference API and by enable-feature / status):
 * - an `APP_FEATURE_FLAGS` entry for the flag that is a boolean wins outright: `true` → on, `false` → off;
 * - otherwise the flags file's value: exactly `true` is on, anything else (missing, not a boolean) is off.
 * - the rollouts file (percentage, segments, enabled) is metadata: reported, never part of the decision (DESIGN.md §2;
 *   the reference API serves every authenticated user once the flag is on).
 * - missing files mean "not set" (off). Values other than booleans in the flags file or the env object count as
 *   not set. A file (or the env variable) that is not a JSON object is a prerequisite failure naming it.
 * Files are read on every call: there is no cache, so a flag written by enable-feature is seen at once.
 */
export type FlagRollout = {
	readonly enabled: boolean;
	readonly percentage: number;
	readonly segments: string[];
	readonly updated_at: string | null;
};

export type FlagState = {
	readonly flag: string;
	/** The flags file's value; null when the file or the key is missing (or not a boolean). */
	readonly fileValue: boolean | null;
	/** The rollouts file's entry for the flag; null when the file or the entry is missing. */
	readonly rollout: FlagRollout | null;
	/** `APP_FEATURE_FLAGS`' value for the flag; null when unset. */
	readonly envOverride: boolean | null;
	readonly on: boolean;
	/** The rollout's percentage as recorded (metadata); 100 when on without one, 0 when off without one. */
	readonly percentage: number;
};

export type FlagFilePaths = {readonly flags: string; readonly rollouts: string};

export const flagsEnvVariable = 'APP_FEATURE_FLAGS';

export function flagFilePaths(appRoot: string): FlagFilePaths {
	return {
		flags: join(appRoot, 'storage', 'app', 'feature-flags.json'),
		rollouts: join(appRoot, 'storage', 'app', 'feature-rollouts.json'),
	};
}

/** Reads both files and the env override for one flag; see the module comment for the rule. */
export async function readFlagState(appRoot: string, env: Readonly<Record<string, string | undefined>>, flag: string): Promise<FlagState> {
	const paths = flagFilePaths(appRoot);
	const [flags, rollouts] = await Promise.all([readJsonObjectFile(paths.flags), readJsonObjectFile(paths.rollouts)]);
	const overrides = parseEnvOverrides(env[flagsEnvVariable]);
	return decideFlag(flag, {flags, rollouts, overrides});
}

/** The pure half of readFlagState: parsed contents (null = missing) → state. */
export function decideFlag(
	flag: string,
	sources: {readonly flags: Record<string, unknown> | null; readonly rollouts: Record<string, unknown> | null; readonly overrides: Record<string, unknown> | null},
): FlagState {
	const fileValue = booleanOrNull(sources.flags ? ownValue(sources.flags, flag) : undefined);
	const envOverride = booleanOrNull(sources.overrides ? ownValue(sources.overrides, flag) : undefined);
	const rollout = normalizeRollout(sources.rollouts ? ownValue(sources.rollouts, flag) : undefined);
	const on = envOverride ?? fileValue === true;
	const percentage = rollout?.percentage ?? (on ? 100 : 0);
	return {flag, fileValue, rollout, envOverride, on, percentage};
}

/** `APP_FEATURE_FLAGS` as an object; unset or blank → null; anything but a JSON object → PrerequisiteFailed. */
export function parseEnvOverrides(value: string | undefined): Record<string, unknown> | null {
	if (value === undefined || value.trim() === '') {
		return null;
	}

	const parsed = parseJson(value);
	if (!isPlainObject(parsed)) {
		throw new PrerequisiteFailed(`${flagsEnvVariable} is not a JSON object.`, {
			hint: `Set it to e.g. {"community_profile_activity":true}, or unset it so the flags file decides.`,
		});
	}

	return parsed;
}

/** A JSON object file; missing → null; unreadable JSON or not an object → PrerequisiteFailed naming the file. */
export async function readJsonObjectFile(path: string): Promise<Record<string, unknown> | null> {
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return null;
		}

		throw new PrerequisiteFailed(`Cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'read failed'}).`, {
			hint: 'Check the file permissions and --app-root.',
		});
	}

	const parsed = parseJson(text);
	if (!isPlainObject(parsed)) {
		throw new PrerequisiteFailed(`${path} is not a valid JSON object.`, {
			hint: 'Fix or remove the file (the platform cannot read it either), then retry.',
		});
	}

	return parsed;
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ownValue(object: Record<string, unknown>, key: string): unknown {
	return Object.hasOwn(object, key) ? object[key] : undefined;
}

function booleanOrNull(value: unknown): boolean | null {
	return typeof value === 'boolean' ? value : null;
}

function normalizeRollout(entry: unknown): FlagRollout | null {
	if (!isPlainObject(entry)) {
		return null;
	}

	const raw = typeof entry.percentage === 'string' && /^\d+(?:\.\d+)?$/.test(entry.percentage) ? Number(entry.percentage) : entry.percentage;
	const percentage = typeof raw === 'number' && Number.isFinite(raw) ? raw : 0;
	return {
		enabled: entry.enabled === true,
		percentage,
		segments: Array.isArray(entry.segments) ? entry.segments.filter((segment): segment is string => typeof segment === 'string') : [],
		updated_at: typeof entry.updated_at === 'string' ? entry.updated_at : null,
	};
}
