import {existsSync, readFileSync, statSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';

// The import graph of the sources, for the architecture tests. Unlike a run-time view it counts every static edge:
// `import type`, side-effect imports and `export … from` too, since a type-only cycle still ties modules together.

/** Every static import and re-export specifier of a file, `import type` included (dynamic `import()` left out). */
export function allImports(file: string): string[] {
	const text = readFileSync(file, 'utf8');
	return [...text.matchAll(/^\s*(?:import|export)\s+(?:type\s+)?(?:[^;'"]*?\sfrom\s*)?['"]([^'"]+)['"]/gm)].map(match => match[1]!);
}

/** The file a relative specifier names (`./x.js` → `x.ts` / `x.tsx`), or null for a package or an unknown file. */
export function resolveImport(from: string, specifier: string): string | null {
	if (!specifier.startsWith('.')) {
		return null;
	}

	const target = resolve(dirname(from), specifier);
	const base = target.replace(/\.(?:js|jsx|ts|tsx)$/, '');
	const candidates = [target, `${base}.ts`, `${base}.tsx`, join(target, 'index.ts'), join(target, 'index.tsx')];
	return candidates.find(candidate => existsSync(candidate) && statSync(candidate).isFile()) ?? null;
}

export type ImportGraph = {
	/** Each file's relative imports that resolve to one of the files. */
	readonly edges: ReadonlyMap<string, readonly string[]>;
	/** Relative specifiers that resolve to no file (`from → specifier`): a typo or a regex miss, worth a failure. */
	readonly unresolved: readonly string[];
};

export function importGraph(files: readonly string[], root: string): ImportGraph {
	const known = new Set(files);
	const unresolved: string[] = [];
	const edges = new Map(files.map(file => {
		const targets = allImports(file).flatMap(specifier => {
			const target = resolveImport(file, specifier);
			if (target === null && specifier.startsWith('.')) {
				unresolved.push(`${relative(root, file)} → ${specifier}`);
			}

			return target !== null && known.has(target) ? [target] : [];
		});
		return [file, [...new Set(targets)]] as const;
	}));
	return {edges, unresolved};
}

/**
 * The import cycles of a graph: one per strongly connected component (Tarjan's DFS), given as the shortest path
 * from the component's first file (in sort order) back to itself, e.g. `[a.ts, b.ts, a.ts]`.
 */
export function findImportCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
	return stronglyConnected(edges)
		.filter(component => component.length > 1 || (edges.get(component[0]!) ?? []).includes(component[0]!))
		.map(component => shortestCycle(edges, new Set(component), [...component].sort()[0]!));
}

function stronglyConnected(edges: ReadonlyMap<string, readonly string[]>): string[][] {
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const onStack = new Set<string>();
	const components: string[][] = [];
	const visit = (file: string) => {
		index.set(file, index.size);
		low.set(file, index.get(file)!);
		stack.push(file);
		onStack.add(file);
		for (const next of edges.get(file) ?? []) {
			if (!index.has(next)) {
				visit(next);
				low.set(file, Math.min(low.get(file)!, low.get(next)!));
			} else if (onStack.has(next)) {
				low.set(file, Math.min(low.get(file)!, index.get(next)!));
			}
		}

		if (low.get(file) === index.get(file)) {
			const component: string[] = [];
			let member: string;
			do {
				member = stack.pop()!;
				onStack.delete(member);
				component.push(member);
			} while (member !== file);
			components.push(component);
		}
	};

	for (const file of [...edges.keys()].sort()) {
		if (!index.has(file)) {
			visit(file);
		}
	}

	return components;
}

/** Breadth-first from `start` back to itself, staying inside its component. */
function shortestCycle(edges: ReadonlyMap<string, readonly string[]>, component: ReadonlySet<string>, start: string): string[] {
	const cameFrom = new Map<string, string>();
	const queue = [start];
	while (queue.length > 0) {
		const file = queue.shift()!;
		for (const next of edges.get(file) ?? []) {
			if (next === start) {
				const path = [file];
				while (path[0] !== start) {
					path.unshift(cameFrom.get(path[0]!)!);
				}

				return [...path, start];
			}

			if (component.has(next) && !cameFrom.has(next)) {
				cameFrom.set(next, file);
				queue.push(next);
			}
		}
	}

	return [start, start];
}
