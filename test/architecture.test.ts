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

function runtimeImports(file: string): string[] {
	const text = readFileSync(file, 'utf8');
	return [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map(match => match[1]!);
}

test('the engine imports neither Ink, React, the UI, the reporters, the CLI nor jobs at run time, and never touches process', t => {
	for (const file of sources('source/engine')) {
		const imports = runtimeImports(file);
		const forbidden = imports.filter(specifier => /^(ink|react|ink-.*|@alcalzone\/ink-table)$/.test(specifier) || /\/(ui|reporters|cli|jobs)\//.test(specifier) || specifier === 'node:process');
		t.deepEqual(forbidden, [], relative(root, file));
		t.false(/\bprocess\.(exit|env|argv|stdout|stderr|stdin|on|kill|pid)\b/.test(readFileSync(file, 'utf8')), `${relative(root, file)} uses process`);
	}
});

test('the UI never imports jobs or the database', t => {
	for (const file of sources('source/ui')) {
		const forbidden = runtimeImports(file).filter(specifier => /\/(jobs|db)\//.test(specifier));
		t.deepEqual(forbidden, [], relative(root, file));
	}
});

test('jobs do not import the CLI, the UI or Ink', t => {
	for (const file of sources('source/jobs')) {
		const forbidden = runtimeImports(file).filter(specifier => /^(ink|react)$/.test(specifier) || /\/(ui|cli|reporters)\//.test(specifier));
		t.deepEqual(forbidden, [], relative(root, file));
		t.false(/\bconsole\.|\bprocess\.(exit|stdout|stderr)\b/.test(readFileSync(file, 'utf8')), `${relative(root, file)} prints or exits`);
	}
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
