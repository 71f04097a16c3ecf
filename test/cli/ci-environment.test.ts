import {execFileSync} from 'node:child_process';
import test from 'ava';
import {isContinuousIntegration} from '../../source/cli/ci-environment.js';

// Ink decides "CI" once, at import, from the real environment: ask it in a child process for each case, and the
// CLI's own decision must agree (otherwise a guided session can run with Ink drawing nothing until the end).
const inkSaysCi = (env: Record<string, string>) =>
	execFileSync(process.execPath, ['--input-type=module', '-e', "process.stdout.write(String((await import('is-in-ci')).default))"], {env: {PATH: process.env.PATH ?? '', ...env}, encoding: 'utf8'}) === 'true';

const cases: Array<[string, Record<string, string>, boolean]> = [
	['nothing set', {}, false],
	['CI=true', {CI: 'true'}, true],
	['CI=1', {CI: '1'}, true],
	['CI empty', {CI: ''}, true],
	['CI=0', {CI: '0'}, false],
	['CI=false', {CI: 'false'}, false],
	['CONTINUOUS_INTEGRATION=yes', {CONTINUOUS_INTEGRATION: 'yes'}, true],
	['CI=false, CONTINUOUS_INTEGRATION=1', {CI: 'false', CONTINUOUS_INTEGRATION: '1'}, true],
];

for (const [title, env, expected] of cases) {
	test(`CI detection agrees with Ink's: ${title} → ${expected ? 'CI' : 'not CI'}`, t => {
		t.is(isContinuousIntegration(env), expected);
		t.is(inkSaysCi(env), expected);
	});
}
