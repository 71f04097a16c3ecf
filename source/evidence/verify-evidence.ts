import {readFile, stat} from 'node:fs/promises';
import {isAbsolute, join, normalize, resolve} from 'node:path';
import {UsageError} from '../core/errors.js';
import {sha256 as sha256Hex} from '../core/canonical-json.js';
import {type ChainCheck, checkChain} from './event-chain.js';
import {eventsName} from './evidence-folder.js';
import {firstChangedLine, lineHashes} from './line-hashes.js';
import {formatManifest, listFiles, type Manifest, manifestBodyText, manifestHash, manifestName} from './manifest.js';

// `evidence verify` (DESIGN.md §9): re-checks the event chain and every manifest hash; each problem names the file
// (and the line, where one can be named).

export type EvidenceProblem = {file: string; line?: number; problem: string};
export type EvidenceCheck = {ok: boolean; problems: EvidenceProblem[]; files: number; events: number};

export async function verifyEvidence(dir: string): Promise<EvidenceCheck> {
	const folder = resolve(dir);
	const info = await stat(folder).catch(() => undefined);
	if (!info?.isDirectory()) {
		throw new UsageError(`Evidence folder ${dir} does not exist.`, {hint: 'Run `community-runbook evidence list` to see the folders.'});
	}

	const problems: EvidenceProblem[] = [];
	const eventsText = await readFile(join(folder, eventsName), 'utf8').catch(() => undefined);
	const chain = checkChain(eventsText ?? '');
	if (eventsText === undefined) {
		problems.push({file: eventsName, problem: 'missing (removed?)'});
	}

	problems.push(...chain.problems.map(({line, problem}) => ({file: eventsName, line, problem})));
	const onDisk = await listFiles(folder);
	const manifestText = await readFile(join(folder, manifestName), 'utf8').catch(() => undefined);
	if (manifestText === undefined) {
		problems.push({file: manifestName, problem: 'missing: the run was not finalized or the manifest was removed, so file hashes cannot be checked'});
		return {ok: false, problems, files: onDisk.length, events: chain.events.length};
	}

	const manifest = parseManifest(manifestText, problems);
	if (manifest) {
		problems.push(...checkEventsAgainst(manifest, chain), ...(await checkFiles(folder, manifest, onDisk)));
	}

	return {ok: problems.length === 0, problems, files: onDisk.length + 1, events: chain.events.length};
}

function parseManifest(text: string, problems: EvidenceProblem[]): Manifest | undefined {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		problems.push({file: manifestName, line: lineOfJsonError(text, error) ?? lineFromRecordedHashes(text), problem: 'not valid JSON (the manifest was edited)'});
		return undefined;
	}

	const manifest = value as Manifest;
	if (!manifest || typeof manifest !== 'object' || !Array.isArray(manifest.files) || typeof manifest.events !== 'object' || manifest.events === null) {
		problems.push({file: manifestName, problem: 'not an evidence manifest (files or events missing)'});
		return undefined;
	}

	const expected = formatManifest(manifest);
	if (expected !== text) {
		problems.push({file: manifestName, line: firstDifferentLine(expected, text), problem: 'the bytes differ from what was written (the manifest was edited)'});
	}

	if (manifestHash(manifest) !== manifest.manifest_hash) {
		problems.push({file: manifestName, line: editedManifestLine(manifest, text), problem: 'changed since the manifest was written (manifest_hash does not match)'});
	}

	return manifest;
}

function checkEventsAgainst(manifest: Manifest, chain: ChainCheck): EvidenceProblem[] {
	const count = Number(manifest.events.count);
	const lines = chain.events.length;
	if (lines > count && chain.events[count]?.type === 'evidence-reopened') {
		return [{file: eventsName, line: count + 1, problem: `the run was resumed after the manifest was written and not finalized again (${lines - count} line(s) from here on)`}];
	}

	if (lines > count) {
		return [{file: eventsName, line: count + 1, problem: `${lines - count} line(s) added after the manifest was written (it counts ${count} events)`}];
	}

	if (lines < count) {
		return [{file: eventsName, line: lines + 1, problem: `${count - lines} line(s) missing (the manifest counts ${count} events, the file has ${lines})`}];
	}

	if (chain.head !== manifest.events.chain_head && chain.problems.length === 0) {
		return [{file: eventsName, line: lines, problem: 'the chain head differs from the manifest (the chain was rewritten)'}];
	}

	return [];
}

async function checkFiles(folder: string, manifest: Manifest, onDisk: string[]): Promise<EvidenceProblem[]> {
	const problems: EvidenceProblem[] = [];
	const listed = new Set<string>();
	for (const [index, entry] of manifest.files.entries()) {
		if (typeof entry?.path !== 'string' || typeof entry.sha256 !== 'string' || isAbsolute(entry.path) || normalize(entry.path).startsWith('..')) {
			problems.push({file: manifestName, problem: `files[${index}] is not a {path, sha256} entry inside the folder (the manifest was edited)`});
			continue;
		}

		listed.add(entry.path);
		const content = await readFile(join(folder, entry.path)).catch(() => undefined);
		if (content === undefined) {
			problems.push({file: entry.path, problem: 'listed in the manifest but missing (removed)'});
		} else if (sha256Hex(content) !== entry.sha256) {
			const line = typeof entry.line_hashes === 'string' ? firstChangedLine(content.toString('utf8'), entry.line_hashes) : undefined;
			problems.push({file: entry.path, ...(line === undefined ? {} : {line}), problem: `sha256 differs from the manifest (changed${content.length === entry.bytes ? '' : `, ${entry.bytes} → ${content.length} bytes`})`});
		}
	}

	for (const path of onDisk) {
		if (!listed.has(path)) {
			problems.push({file: path, problem: 'not listed in the manifest (added after the run was finalized)'});
		}
	}

	return problems;
}

/** Which line of the manifest was edited: a body line (by its line hash), else the line of a seal. */
function editedManifestLine(manifest: Manifest, text: string): number | undefined {
	const lineOf = (key: string) => text.split('\n').findIndex(line => line.startsWith(`  "${key}":`)) + 1 || undefined;
	if (typeof manifest.line_hashes !== 'string') {
		return undefined;
	}

	const body = manifestBodyText(manifest);
	const changed = firstChangedLine(body, manifest.line_hashes, true);
	if (changed === undefined) {
		return lineOf('manifest_hash');
	}

	// The body is intact when the recomputed line hashes would seal it: then the line_hashes line itself was edited.
	const resealed = manifestHash({...manifest, line_hashes: lineHashes(body, true)});
	return resealed === manifest.manifest_hash ? lineOf('line_hashes') : changed;
}

function firstDifferentLine(expected: string, actual: string): number {
	const left = expected.split('\n');
	const right = actual.split('\n');
	const index = right.findIndex((line, position) => line !== left[position]);
	return (index === -1 ? Math.min(left.length, right.length) : index) + 1;
}

/** For a manifest that no longer parses: its own recorded line hashes, read from the text, still say which line. */
function lineFromRecordedHashes(text: string): number | undefined {
	const recorded = /^ {2}"line_hashes": "([\da-f]+)",?$/m.exec(text)?.[1];
	if (!recorded) {
		return undefined;
	}

	const lines = text.split('\n').slice(0, recorded.length / 8).join('\n');
	return firstChangedLine(lines, recorded, true);
}

function lineOfJsonError(text: string, error: unknown): number | undefined {
	const position = /position (\d+)/.exec(String((error as Error).message))?.[1];
	return position === undefined ? undefined : text.slice(0, Number(position)).split('\n').length;
}

/** "events.jsonl line 3: hash does not match …" */
export function describeProblem(problem: EvidenceProblem): string {
	return `${problem.file}${problem.line === undefined ? '' : ` line ${problem.line}`}: ${problem.problem}`;
}
