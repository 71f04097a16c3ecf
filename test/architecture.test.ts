import {readdirSync, readFileSync, statSync} from 'node:fs';
import {join, relative} from 'node:path';
import test from 'ava';
import {allImports, findImportCycles, importGraph, resolveImport} from './helpers/import-graph.js';

// STYLE.md's dependency direction: cli → ui | reporters → engine; jobs → db → entities. The engine knows nothing
// of Ink, React, the CLI or `process`; the UI never reaches into jobs or the database.

const root = new URL('..', import.meta.url).pathname;

function sources(folder: string): string[] {
	return readdirSync(join(root, folder)).flatMap(name => {
		const path = join(root, folder, name);
		return statSync(path).isDirectory() ? sources(relative(root, path)) : /\.tsx?$/.test(name) ? [path] : [];
	});
}

/** The source files a file imports (relative specifiers resolved; `import type` and re-exports counted). */
function importedFiles(file: string): string[] {
	return allImports(file)
		.map(specifier => resolveImport(file, specifier))
		.filter((path): path is string => path !== null)
		.map(path => relative(root, path));
}

function packageImports(file: string): string[] {
	return allImports(file).filter(specifier => !specifier.startsWith('.'));
}

/** Folder → folders it must never import (STYLE.md's dependency direction; ARCHITECTURE.md "one run, one loop"). */
const forbiddenLayers: Record<string, readonly string[]> = {
	'source/core': ['source/db', 'source/engine', 'source/jobs', 'source/evidence', 'source/cli', 'source/ui', 'source/reporters', 'source/api'],
	'source/db': ['source/engine', 'source/jobs', 'source/evidence', 'source/cli', 'source/ui', 'source/reporters', 'source/api'],
	'source/evidence': ['source/engine', 'source/jobs', 'source/cli', 'source/ui', 'source/reporters'],
	'source/engine': ['source/jobs', 'source/cli', 'source/ui', 'source/reporters', 'source/api'],
	'source/jobs': ['source/cli', 'source/ui', 'source/reporters'],
	'source/ui': ['source/jobs', 'source/db', 'source/cli'],
	'runbook': ['source/db', 'source/jobs', 'source/cli', 'source/ui'],
};

test('each layer imports only downward (type imports counted): core ← db ← engine ← jobs ← cli', t => {
	for (const [folder, forbidden] of Object.entries(forbiddenLayers)) {
		for (const file of sources(folder)) {
			const wrong = importedFiles(file).filter(path => forbidden.some(layer => path.startsWith(`${layer}/`)));
			t.deepEqual(wrong, [], `${relative(root, file)} reaches up`);
		}
	}
});

test('the engine imports neither Ink nor React and never touches process', t => {
	for (const file of sources('source/engine')) {
		t.deepEqual(packageImports(file).filter(specifier => /^(ink|react|ink-.*|@alcalzone\/ink-table|node:process)$/.test(specifier)), [], relative(root, file));
		t.false(/\bprocess\.(exit|env|argv|stdout|stderr|stdin|on|kill|pid)\b/.test(readFileSync(file, 'utf8')), `${relative(root, file)} uses process`);
	}
});

// `verify` and `rollback` are phases of every runbook (and job modes), so they are not in the list.
test('nothing in the engine names a stage-11 step or job: the runner knows steps only as data', t => {
	const names = /['"`](prerequisites|seed-baseline|backfill-membership|migrate-legacy-activity|enable-feature(?:-internal)?|notify|runbook:stage11)(?:-dry-run)?['"`]/;
	for (const file of sources('source/engine')) {
		const code = readFileSync(file, 'utf8').replaceAll(/^\s*(\/\/|\*|\/\*\*).*$/gm, '');
		t.false(names.test(code), `${relative(root, file)} names a step or job: ${names.exec(code)?.[0] ?? ''}`);
	}
});

test('only source/db/bookkeeping (and the migrations) reads or writes the runbook_* tables', t => {
	const sqlOnRunbookTables = /\b(FROM|INTO|UPDATE|JOIN|TABLE)\s+`?runbook_\w+/i;
	for (const file of sources('source')) {
		const path = relative(root, file);
		if (path.startsWith('source/db/bookkeeping/') || path.startsWith('source/db/migrations/')) {
			continue;
		}

		t.false(sqlOnRunbookTables.test(readFileSync(file, 'utf8')), `${path}: ${sqlOnRunbookTables.exec(readFileSync(file, 'utf8'))?.[0] ?? ''}`);
	}
});

test('the production CLI reads no test hook from the environment', t => {
	for (const file of [...sources('source'), join(root, 'bin/community-runbook.js')]) {
		t.false(/RUNBOOK_TEST_/.test(readFileSync(file, 'utf8')), relative(root, file));
	}
});

test('--help and --version load no command code: the command list imports only cheap modules', t => {
	const heavy = /^(@mikro-orm\/|ink$|ink-|react$|mysql2|ioredis|knex|sqlite3|@alcalzone\/ink-table)/;
	const seen = new Set<string>();
	const queue = [join(root, 'source/cli/program.ts')];
	while (queue.length > 0) {
		const file = queue.pop()!;
		if (seen.has(file)) {
			continue;
		}

		seen.add(file);
		const text = readFileSync(file, 'utf8');
		// Type-only imports are erased: they load nothing.
		const runtime = [...text.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^;'"]*?\sfrom\s*)?['"]([^'"]+)['"]/gm)].map(match => match[1]!);
		t.deepEqual(runtime.filter(specifier => heavy.test(specifier)), [], `${relative(root, file)} loads a heavy package at start-up`);
		queue.push(...runtime.map(specifier => resolveImport(file, specifier)).filter((path): path is string => path !== null));
	}

	t.true(seen.size > 10, 'the walk followed the imports');
});

// The rules below count `import type` and `export … from` too (ARCHITECTURE.md item 7): a type-only edge still ties
// two modules together, and a presentational component that needs a hook's types is reaching into the wrong layer.

test('UI components never import the UI hooks, not even their types', t => {
	for (const file of sources('source/ui/components')) {
		const forbidden = allImports(file).filter(specifier => resolveImport(file, specifier)?.startsWith(join(root, 'source/ui/hooks/')));
		t.deepEqual(forbidden, [], relative(root, file));
	}
});

test('no import cycle among the files of source/ (import type and re-exports counted)', t => {
	const {edges, unresolved} = importGraph(sources('source'), root);
	t.deepEqual(unresolved, [], 'relative imports that name no file');
	t.deepEqual(findImportCycles(edges).map(cycle => cycle.map(file => relative(root, file)).join(' → ')), []);
});

test('the cycle finder reports a type-only cycle and a re-export cycle with their paths', t => {
	const fixtures = join(root, 'test/fixtures/import-cycles');
	const {edges} = importGraph(sources('test/fixtures/import-cycles'), root);
	const cycles = findImportCycles(edges).map(cycle => cycle.map(file => relative(fixtures, file)).join(' → '));
	t.deepEqual(cycles.sort(), ['feed.ts → hooks/use-feed.ts → feed.ts', 'a.ts → b.tsx → c.ts → a.ts'].sort());
});
