import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import test from 'ava';
import {readAppEnvironment, readConfiguredTimeZone} from '../../source/core/app-environment.js';
import {PrerequisiteFailed} from '../../source/core/errors.js';

function appRootWith(files: Record<string, string>): string {
	const root = mkdtempSync(join(tmpdir(), 'runbook-app-'));
	for (const [path, text] of Object.entries(files)) {
		mkdirSync(join(root, path, '..'), {recursive: true});
		writeFileSync(join(root, path), text);
	}

	return root;
}

const dotenv = [
	'# a comment line',
	'APP_NAME=Community',
	'export APP_ENV_NAME=production',
	'APP_KEY=base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
	'APP_TIMEZONE = Asia/Dhaka   # trailing comment',
	'HASH=abc#def',
	'EMPTY=',
	'SINGLE=\'literal ${APP_NAME} \\n # kept\'',
	'DOUBLE="Hello \\"${APP_NAME}\\"\\tend" # comment',
	'ESCAPED="cost \\${APP_NAME}"',
	'UNQUOTED_EXPANSION=${APP_NAME}-app',
	'UNKNOWN="${NOT_SET_ANYWHERE}"',
	'MULTI="line one',
	'line two"',
	'FROM_PROCESS=file value',
	'APP_NAME=second definition is ignored',
	'not an assignment',
	'',
].join('\n');

test('.env values follow phpdotenv: export, comments, quotes, escapes, ${} expansion, multi-line, first wins', async t => {
	const root = appRootWith({'.env': dotenv});
	try {
		const environment = await readAppEnvironment(root, {});
		t.is(environment.get('APP_NAME'), 'Community');
		t.is(environment.get('APP_ENV_NAME'), 'production');
		t.is(environment.get('APP_KEY'), 'base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=');
		t.is(environment.get('APP_TIMEZONE'), 'Asia/Dhaka');
		t.is(environment.get('HASH'), 'abc#def');
		t.is(environment.get('EMPTY'), '');
		t.is(environment.get('SINGLE'), String.raw`literal ${'$'}{APP_NAME} \n # kept`);
		t.is(environment.get('DOUBLE'), 'Hello "Community"\tend');
		t.is(environment.get('ESCAPED'), 'cost ${APP_NAME}');
		t.is(environment.get('UNQUOTED_EXPANSION'), 'Community-app');
		t.is(environment.get('UNKNOWN'), '${NOT_SET_ANYWHERE}');
		t.is(environment.get('MULTI'), 'line one\nline two');
		t.is(environment.get('NOT_THERE'), undefined);
		t.is(environment.sourceOf('APP_KEY'), join(root, '.env'));
		t.is(environment.sourceOf('NOT_THERE'), undefined);
	} finally {
		rmSync(root, {recursive: true, force: true});
	}
});

test('the process environment wins over .env, even when empty, and expansions see it', async t => {
	const root = appRootWith({'.env': dotenv});
	try {
		const environment = await readAppEnvironment(root, {FROM_PROCESS: 'process value', APP_NAME: 'FromEnv', EMPTY: undefined, APP_TIMEZONE: ''});
		t.is(environment.get('FROM_PROCESS'), 'process value');
		t.is(environment.sourceOf('FROM_PROCESS'), 'environment');
		t.is(environment.get('UNQUOTED_EXPANSION'), 'FromEnv-app');
		t.is(environment.get('APP_TIMEZONE'), '');
		t.is(environment.sourceOf('APP_TIMEZONE'), 'environment');
		t.is(environment.get('EMPTY'), '', 'an undefined process value does not count as set');
	} finally {
		rmSync(root, {recursive: true, force: true});
	}
});

test('a missing .env is fine; APP_ENV selects .env.<APP_ENV> when it exists', async t => {
	const empty = appRootWith({});
	const staged = appRootWith({'.env': 'APP_KEY=main\n', '.env.staging': 'APP_KEY=staging\n'});
	try {
		const none = await readAppEnvironment(empty, {APP_KEY: 'from env'});
		t.is(none.get('APP_KEY'), 'from env');
		t.is((await readAppEnvironment(empty, {})).get('APP_KEY'), undefined);
		t.is((await readAppEnvironment(staged, {})).get('APP_KEY'), 'main');
		const staging = await readAppEnvironment(staged, {APP_ENV: 'staging'});
		t.is(staging.get('APP_KEY'), 'staging');
		t.is(staging.sourceOf('APP_KEY'), join(staged, '.env.staging'));
		t.is((await readAppEnvironment(staged, {APP_ENV: 'local'})).get('APP_KEY'), 'main');
	} finally {
		rmSync(empty, {recursive: true, force: true});
		rmSync(staged, {recursive: true, force: true});
	}
});

test('an unreadable .env is a prerequisite failure naming the file', async t => {
	// Root ignores file permissions; a folder named .env is unreadable as a file for everyone.
	const root = appRootWith({'.env/placeholder': ''});
	const unreadable = appRootWith({'.env': 'APP_KEY=x\n'});
	chmodSync(join(unreadable, '.env'), 0o000);
	try {
		const error = await t.throwsAsync(readAppEnvironment(root, {}), {instanceOf: PrerequisiteFailed});
		t.true(error!.message.includes(join(root, '.env')), error!.message);
		if (process.getuid?.() !== 0) {
			const denied = await t.throwsAsync(readAppEnvironment(unreadable, {}), {instanceOf: PrerequisiteFailed});
			t.is(denied!.message, `Cannot read ${join(unreadable, '.env')} (EACCES).`);
		}
	} finally {
		rmSync(root, {recursive: true, force: true});
		rmSync(unreadable, {recursive: true, force: true});
	}
});

test('readConfiguredTimeZone: a literal, env() with its default or the variable, or undefined', async t => {
	const literal = appRootWith({'config/app.php': "<?php\nreturn [\n    // 'timezone' => 'Europe/Paris',\n    'timezone' => 'Asia/Dhaka',\n];\n"});
	const fromEnv = appRootWith({'config/app.php': "<?php\nreturn [\n    'timezone' => env('APP_TIMEZONE', 'America/New_York'),\n];\n"});
	const withoutDefault = appRootWith({'config/app.php': "<?php\nreturn ['timezone' => env(\"APP_TZ\")];\n"});
	const noKey = appRootWith({'config/app.php': "<?php\nreturn ['name' => 'x'];\n"});
	const noFile = appRootWith({});
	try {
		t.is(await readConfiguredTimeZone(literal), 'Asia/Dhaka');
		t.is(await readConfiguredTimeZone(fromEnv), 'America/New_York');
		const environment = await readAppEnvironment(noFile, {APP_TIMEZONE: 'Europe/Berlin'});
		t.is(await readConfiguredTimeZone(fromEnv, environment), 'Europe/Berlin');
		t.is(await readConfiguredTimeZone(withoutDefault), undefined);
		t.is(await readConfiguredTimeZone(withoutDefault, await readAppEnvironment(noFile, {APP_TZ: 'UTC'})), 'UTC');
		t.is(await readConfiguredTimeZone(noKey), undefined);
		t.is(await readConfiguredTimeZone(noFile), undefined);
	} finally {
		for (const root of [literal, fromEnv, withoutDefault, noKey, noFile]) {
			rmSync(root, {recursive: true, force: true});
		}
	}
});
