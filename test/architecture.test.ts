import {readdirSync, readFileSync, statSync} from 'node:fs';
import {join, relative} from 'node:path';
import test from 'ava';

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
