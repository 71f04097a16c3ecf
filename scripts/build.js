#!/usr/bin/env node
// `npm install` (prepare) and `npm run build`: compile the tool to dist/ and stamp it. The bin runs dist/ while the
// stamp is newer than every source file, so an edited checkout falls back to tsx instead of running stale code.
// Running compiled JavaScript saves tsx's loader (~50 MiB of a process's memory and ~1 s of start-up).
import {spawnSync} from 'node:child_process';
import {createRequire} from 'node:module';
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
let tsc;
try {
	tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
	// An install without dev dependencies: the bin runs the sources through tsx (a runtime dependency).
	process.stderr.write('community-runbook: typescript is not installed, so dist/ was not built; the sources run through tsx.\n');
	process.exit(0);
}

rmSync(new URL('dist', new URL('..', import.meta.url)), {recursive: true, force: true});
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {cwd: root, stdio: 'inherit'});
if (result.status !== 0) {
	process.exit(result.status ?? 1);
}

mkdirSync(`${root}dist`, {recursive: true});
// The help texts, from the compiled CLI itself: the bin answers --help from them without loading the command list.
const {helpSnapshot} = await import(`${root}dist/source/cli/help-snapshot.js`);
const {version} = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
writeFileSync(`${root}dist/help.json`, `${JSON.stringify(await helpSnapshot(version))}\n`);
writeFileSync(`${root}dist/.built`, `${new Date().toISOString()}\n`);
