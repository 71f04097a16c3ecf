import {rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import test from 'ava';
import {PrerequisiteFailed} from '../../source/core/errors.js';
import {decideFlag, flagFilePaths, readFlagState} from '../../source/engine/feature-flags.js';
import {createAppRoot, writeFlags, writeRollouts} from '../helpers/profile-feed.js';

const flag = 'community_profile_activity';

test('flagFilePaths names the two platform files under storage/app', t => {
	t.deepEqual(flagFilePaths('/srv/app'), {flags: '/srv/app/storage/app/feature-flags.json', rollouts: '/srv/app/storage/app/feature-rollouts.json'});
});

test('missing files: the flag is off and nothing is set', async t => {
	const root = createAppRoot();
	t.teardown(() => rmSync(root, {recursive: true, force: true}));
	t.deepEqual(await readFlagState(root, {}, flag), {flag, fileValue: null, rollout: null, envOverride: null, on: false, percentage: 0});
	t.deepEqual(await readFlagState(join(root, 'no-such-dir'), {}, flag), {flag, fileValue: null, rollout: null, envOverride: null, on: false, percentage: 0});
});

test('the flags file, the rollout percentage and the env override, read fresh on every call', async t => {
	const root = createAppRoot();
	t.teardown(() => rmSync(root, {recursive: true, force: true}));
	writeFlags(root, {[flag]: true, other: false});
	t.like(await readFlagState(root, {}, flag), {fileValue: true, on: true, percentage: 100, rollout: null});
	t.like(await readFlagState(root, {}, 'other'), {fileValue: false, on: false, percentage: 0});
	writeRollouts(root, {[flag]: {enabled: true, percentage: 10, segments: ['internal', 7], updated_at: '2026-11-25T10:00:00Z'}});
	t.deepEqual(await readFlagState(root, {}, flag), {
		flag,
		fileValue: true,
		rollout: {enabled: true, percentage: 10, segments: ['internal'], updated_at: '2026-11-25T10:00:00Z'},
		envOverride: null,
		on: true,
		percentage: 10,
	});
	writeRollouts(root, {[flag]: {enabled: false, percentage: 0, segments: [], updated_at: null}});
	t.like(await readFlagState(root, {}, flag), {fileValue: true, on: true, percentage: 0}, 'a percentage of 0 is metadata: the flags file says true, so it is on');
	t.like(await readFlagState(root, {APP_FEATURE_FLAGS: `{"${flag}":true}`}, flag), {envOverride: true, on: true, percentage: 0});
	writeRollouts(root, {});
	t.like(await readFlagState(root, {APP_FEATURE_FLAGS: `{"${flag}":false}`}, flag), {fileValue: true, envOverride: false, on: false});
	t.like(await readFlagState(root, {APP_FEATURE_FLAGS: '  '}, flag), {envOverride: null, on: true});
	t.like(await readFlagState(root, {APP_FEATURE_FLAGS: '{"other":true}'}, flag), {envOverride: null, on: true});
});

test('non-boolean values count as not set; the rollout entry never gates the flag', t => {
	t.like(decideFlag(flag, {flags: {[flag]: 'yes'}, rollouts: null, overrides: null}), {fileValue: null, on: false});
	t.like(decideFlag(flag, {flags: {[flag]: true}, rollouts: {[flag]: {enabled: true}}, overrides: null}), {on: true, percentage: 0});
	t.like(decideFlag(flag, {flags: {[flag]: false}, rollouts: {[flag]: {enabled: true, percentage: 100}}, overrides: null}), {on: false, percentage: 100});
	t.like(decideFlag(flag, {flags: {[flag]: true}, rollouts: {[flag]: {percentage: '50'}}, overrides: null}), {on: true, percentage: 50});
	t.like(decideFlag(flag, {flags: {[flag]: true}, rollouts: null, overrides: {[flag]: 1}}), {envOverride: null, on: true});
	t.like(decideFlag('toString', {flags: {}, rollouts: {}, overrides: {}}), {fileValue: null, rollout: null, envOverride: null, on: false});
});

test('a file or env value that is not a JSON object is a prerequisite failure naming it', async t => {
	const root = createAppRoot();
	t.teardown(() => rmSync(root, {recursive: true, force: true}));
	const {flags, rollouts} = flagFilePaths(root);
	writeFileSync(flags, '{"community_profile_activity": tru');
	const broken = await t.throwsAsync(readFlagState(root, {}, flag), {instanceOf: PrerequisiteFailed});
	t.true(broken!.message.includes(flags));
	t.is(broken!.exitCode, 3);
	writeFlags(root, {[flag]: true});
	writeFileSync(rollouts, '[1, 2]\n');
	const array = await t.throwsAsync(readFlagState(root, {}, flag), {instanceOf: PrerequisiteFailed});
	t.true(array!.message.includes(rollouts));
	rmSync(rollouts);
	const environment = await t.throwsAsync(readFlagState(root, {APP_FEATURE_FLAGS: 'community_profile_activity=true'}, flag), {instanceOf: PrerequisiteFailed});
	t.true(environment!.message.includes('APP_FEATURE_FLAGS'));
});
