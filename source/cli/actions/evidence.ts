import {readdir, stat} from 'node:fs/promises';
import {basename, join, resolve} from 'node:path';
import Table from 'cli-table3';
import {UsageError, VerificationFailed} from '../../core/errors.js';
import {exportEvidence, type ExportFormat, exportFormats} from '../../evidence/export/index.js';
import {readEvidence} from '../../evidence/export/read-folder.js';
import {writePrivateFile} from '../../evidence/private-files.js';
import {describeProblem, verifyEvidence} from '../../evidence/verify-evidence.js';
import type {CommandContext, CommandResult} from '../command.js';

// `evidence list | verify <dir> | export <dir> --format=md|json|html [--out=FILE]` (DESIGN.md §9, §10).
// Needs no database: everything is read from the evidence folders.

export type EvidenceOptions = {readonly args: ReadonlyArray<string | undefined>; readonly format?: string | undefined; readonly out?: string | undefined};

/** `evidence list | verify <dir> | export <dir>` (DESIGN.md §9, §10). */
export async function runEvidence(context: CommandContext, options: EvidenceOptions): Promise<CommandResult> {
	const [action, dir] = options.args;
	switch (action) {
		case 'list': {
			return listEvidence(context);
		}

		case 'verify': {
			return verifyFolder(await resolveFolder(context, dir, 'verify'));
		}

		case 'export': {
			const format = parseFormat(options.format);
			return exportFolder(context, await resolveFolder(context, dir, 'export'), format, options.out);
		}

		default: {
			throw new UsageError(`Unknown evidence action "${action ?? ''}".`, {hint: 'Use `evidence list`, `evidence verify <dir>` or `evidence export <dir> --format=md|json|html`.'});
		}
	}
}

type FolderSummary = {name: string; dir: string; run_id: string; steps: number; status: string; integrity_ok: boolean; problems: number; first_problem: string | null};

async function listEvidence(context: CommandContext): Promise<CommandResult> {
	const root = context.evidenceRoot;
	const names = await readdir(root, {withFileTypes: true}).catch(() => []);
	const folders: FolderSummary[] = [];
	for (const name of names.filter(entry => entry.isDirectory()).map(entry => entry.name).sort().reverse()) {
		const content = await readEvidence(join(root, name)).catch(() => undefined);
		if (!content) {
			continue;
		}

		const statuses = content.steps.map(step => step.status);
		const status = typeof content.manifest?.status === 'string' ? content.manifest.status : !content.manifest ? 'unfinished' : statuses.find(item => item === 'failed' || item === 'aborted') ?? 'succeeded';
		const first = content.integrity.problems[0];
		folders.push({name, dir: content.dir, run_id: content.manifest?.run_id ?? name.replace(/^\d{8}T\d{6}Z-/, ''), steps: content.steps.length, status, integrity_ok: content.integrity.ok, problems: content.integrity.problems.length, first_problem: first ? describeProblem(first) : null});
	}

	const lines =
		folders.length === 0
			? [`No evidence folders under ${root}.`]
			: context.global.output === 'plain'
				? folders.map(folder => `folder=${folder.name} run_id=${folder.run_id} steps=${folder.steps} status=${folder.status} integrity=${folder.integrity_ok ? 'ok' : 'failed'}`)
				: [listTable(folders), `Evidence root: ${root}`];
	return {status: 'succeeded', lines, extra: {evidence_root: root, folders}};
}

function listTable(folders: FolderSummary[]): string {
	const table = new Table({head: ['Folder', 'Run id', 'Steps', 'Status', 'Integrity'], style: {head: [], border: []}});
	for (const folder of folders) {
		table.push([folder.name, folder.run_id, String(folder.steps), folder.status, folder.integrity_ok ? 'ok' : `FAILED (${folder.problems}): ${folder.first_problem ?? ''}`]);
	}

	return table.toString();
}

async function verifyFolder(dir: string): Promise<CommandResult> {
	const check = await verifyEvidence(dir);
	if (!check.ok) {
		const [first] = check.problems;
		const more = check.problems.length > 1 ? ` (and ${check.problems.length - 1} more problem(s))` : '';
		const error = new VerificationFailed(`Evidence tampered or incomplete in ${dir}: ${describeProblem(first!)}${more}.`, {
			hint: 'Do not attach this folder to the change ticket as is; `evidence verify <dir> --output=json` lists every problem.',
		});
		throw error.withRun({runId: runIdOfFolder(dir), evidenceDir: dir, extra: {files: check.files, events: check.events, problems: check.problems}});
	}

	return {status: 'succeeded', run_id: runIdOfFolder(dir), lines: [`Evidence intact: ${check.files} files, ${check.events} events`], evidence_dir: dir, extra: {files: check.files, events: check.events, problems: []}};
}

async function exportFolder(context: CommandContext, dir: string, format: ExportFormat, out: string | undefined): Promise<CommandResult> {
	const content = await exportEvidence(dir, format);
	const check = await verifyEvidence(dir);
	if (!check.ok) {
		context.warn(`the evidence in ${dir} does not verify (${describeProblem(check.problems[0]!)}); the export says so.`);
	}

	if (out === undefined) {
		return {status: 'succeeded', run_id: runIdOfFolder(dir), text: content, evidence_dir: dir, extra: {format, integrity_ok: check.ok, content}};
	}

	const path = resolve(context.terminal.cwd, out);
	try {
		await writePrivateFile(path, content);
	} catch (error) {
		throw new UsageError(`Cannot write --out ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {hint: 'Pass a file in an existing, writable folder.'});
	}

	return {status: 'succeeded', run_id: runIdOfFolder(dir), lines: [`Wrote the ${format} export of ${dir} to ${path}`], evidence_dir: dir, extra: {format, integrity_ok: check.ok, out: path}};
}

function parseFormat(format: string | undefined): ExportFormat {
	if (!exportFormats.includes(format as ExportFormat)) {
		throw new UsageError(format === undefined ? '`evidence export` needs --format=md|json|html.' : `--format must be md, json or html (got "${format}").`, {hint: 'e.g. `evidence export <dir> --format=md --out=ticket.md`.'});
	}

	return format as ExportFormat;
}

/** `<dir>` as given (relative to the working directory), else a folder name under the evidence root. */
async function resolveFolder(context: CommandContext, dir: string | undefined, action: string): Promise<string> {
	if (!dir) {
		throw new UsageError(`\`evidence ${action}\` needs the evidence folder: evidence ${action} <dir>.`, {hint: 'Run `community-runbook evidence list` to see the folders.'});
	}

	for (const candidate of [resolve(context.terminal.cwd, dir), resolve(context.evidenceRoot, dir)]) {
		if ((await stat(candidate).catch(() => undefined))?.isDirectory()) {
			return candidate;
		}
	}

	throw new UsageError(`Evidence folder ${dir} does not exist.`, {hint: `Run \`community-runbook evidence list\` to see the folders under ${context.evidenceRoot}.`});
}

function runIdOfFolder(dir: string): string {
	return basename(dir).replace(/^\d{8}T\d{6}Z-/, '');
}
