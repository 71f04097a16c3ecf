import {PassThrough, Writable} from 'node:stream';
import {commands} from './commands/index.js';
import {runCli} from './program.js';

/**
 * Every help text the CLI prints, keyed by command ('' for `community-runbook --help`), produced by the CLI itself.
 * The build stores it as dist/help.json, and the bin answers `--help` / `<command> --help` from it: the command list
 * is built from the jobs' zod schemas, and loading zod alone costs more than the 250 ms an operator should wait.
 */
export async function helpSnapshot(version: string): Promise<Record<string, string>> {
	const snapshot: Record<string, string> = {};
	for (const name of ['', ...commands.map(entry => entry.name)]) {
		let text = '';
		const stdout = new Writable({
			write(chunk: Buffer, _encoding, done) {
				text += chunk.toString();
				done();
			},
		});
		const code = await runCli({
			argv: name === '' ? ['--help'] : [name, '--help'],
			terminal: {stdout, stderr: stdout, stdin: new PassThrough(), env: {}, cwd: process.cwd(), interactive: false},
			signal: new AbortController().signal,
			version,
			forceExit() {
				throw new Error('help never exits early');
			},
		});
		if (code !== 0) {
			throw new Error(`${name || 'the program'} --help exited ${code}: ${text}`);
		}

		snapshot[name] = text;
	}

	return snapshot;
}
