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

// The CLI the bin runs: one ESM bundle, split at the commands' lazy imports, so a command loads a few files instead of
// the ~2,000 modules Ink's and zod's packages are made of (Ink alone imports all of es-toolkit/compat for one
// `throttle`). Measured: the guide's first frame ~3.3 s → ~2.2 s on a loaded 2-core machine. MikroORM and the drivers
// stay outside it (CommonJS loaded with require(), see entities/mikro-orm-core.ts); tests and the bench import dist/source.
const {build} = await import('esbuild');
await build({
	entryPoints: [`${root}dist/source/cli.js`],
	outdir: `${root}dist/bundle`,
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	logLevel: 'warning',
	external: ['@mikro-orm/*', 'knex', 'sqlite3', 'mysql2', 'mysql2/*', 'ioredis', 'react-devtools-core'],
	// The bin runs React's production build (NODE_ENV=production unless set): its development build is left out.
	define: {'process.env.NODE_ENV': '"production"'},
	// CommonJS packages inside the bundle (React) require() Node's built-ins.
	banner: {js: "import {createRequire as __bundleRequire} from 'node:module'; const require = __bundleRequire(import.meta.url);"},
});

mkdirSync(`${root}dist`, {recursive: true});
// The help texts, from the compiled CLI itself: the bin answers --help from them without loading the command list.
const {helpSnapshot} = await import(`${root}dist/source/cli/help-snapshot.js`);
const {version} = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
writeFileSync(`${root}dist/help.json`, `${JSON.stringify(await helpSnapshot(version))}\n`);
writeFileSync(`${root}dist/.built`, `${new Date().toISOString()}\n`);
