#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=8 --heap-growing-percent=20
// Installed entry point, and what `npm start` runs. Runs the compiled tool in dist/ (built by `npm install`, see
// scripts/build.js); in a git checkout only while that build is newer than every source file, and the TypeScript
// sources through tsx with the project's tsconfig otherwise, so an edited checkout never runs stale code.
//
// The V8 flags (here, in package.json's start script and bench/common.ts's toolNodeFlags; a test keeps them equal):
// a batch job's live heap is ~40 MiB, but V8's defaults (16 MiB semi-spaces, heap limit grown by up to 4× after each
// full GC) let promoted per-batch garbage pile up to ~150 MiB before collecting. Smaller young generation and 20 %
// growth keep the peak near the live set; measured on the 1M bench: peak RSS 294 → 210 MiB, same duration.
// MALLOC_ARENA_MAX=2: glibc gives every thread that allocates its own arena (node-sqlite3 works on libuv's pool threads),
// each fragmenting on its own; two arenas: 1M backfill on SQLite 221 → 174 MiB peak, same duration.
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';

const root = new URL('..', import.meta.url).pathname;

// `--version` answers from package.json before anything else loads: users type it to check an install.
if (process.argv.length === 3 && process.argv[2] === '--version') {
	process.stdout.write(`${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
	process.exit(0);
}

// React's production build: each TUI frame is about a quarter cheaper.
process.env.NODE_ENV ??= 'production';

function newestSource() {
	let newest = Math.max(statSync(join(root, 'package.json')).mtimeMs, statSync(join(root, 'tsconfig.json')).mtimeMs);
	for (const folder of ['source', 'entities', 'runbook']) {
		for (const entry of readdirSync(join(root, folder), {recursive: true, withFileTypes: true})) {
			if (entry.isFile()) {
				newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
			}
		}
	}

	return newest;
}

// An installed copy (no .git) was built by `npm install` and never edited: no need to walk the sources on every start.
const stamp = join(root, 'dist', '.built');
const checkout = existsSync(join(root, '.git'));
if (existsSync(stamp) && (!checkout || statSync(stamp).mtimeMs >= newestSource())) {
	// `--help` and `<command> --help` answer from the texts the build took from this very CLI (dist/help.json).
	const [first, second] = process.argv.slice(2);
	const isHelp = argument => argument === '--help' || argument === '-h';
	const asked = process.argv.length === 3 && isHelp(first) ? '' : process.argv.length === 4 && isHelp(second) ? first : undefined;
	const texts = asked === undefined ? {} : JSON.parse(readFileSync(join(root, 'dist', 'help.json'), 'utf8'));
	if (asked !== undefined && Object.hasOwn(texts, asked)) {
		process.stdout.write(texts[asked]);
		process.exit(0);
	}

	await import('../dist/bundle/cli.js');
} else {
	const {register} = await import('tsx/esm/api');
	register({tsconfig: join(root, 'tsconfig.json')});
	await import('../source/cli.tsx');
}
