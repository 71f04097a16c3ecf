import {existsSync, readFileSync} from 'node:fs';
import process from 'node:process';
import {isContinuousIntegration} from './cli/ci-environment.js';
import {runCli} from './cli/program.js';

// Entry only: argv → runCli → exit code. The one place that touches process.exit and signals.
// ../package.json from source/, ../../package.json from the compiled dist/source/.
const packageFile = [new URL('../package.json', import.meta.url), new URL('../../package.json', import.meta.url)].find(file => existsSync(file))!;
const {version} = JSON.parse(readFileSync(packageFile, 'utf8')) as {version: string};
const controller = new AbortController();
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals) => {
	interrupts++;
	if (interrupts > 1) {
		// A second Ctrl-C exits at once; the open transaction rolls back with the connection.
		process.stderr.write(`\n${signal} again: exiting now; the current batch rolls back by itself.\n`);
		process.exit(130);
	}

	controller.abort(signal);
};

process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const interactive = !isContinuousIntegration(process.env) && process.stdin.isTTY === true && process.stdout.isTTY === true;
const code = await runCli({
	argv: process.argv.slice(2),
	// npm start runs in the package folder; INIT_CWD is where the operator typed the command (relative paths mean that).
	terminal: {stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.env.INIT_CWD ?? process.cwd(), interactive},
	signal: controller.signal,
	version,
	forceExit(exitCode) {
		process.exit(exitCode);
	},
});
process.exitCode = code;
// Pools, timers and servers may hold the loop open after a command ends; the result is already printed.
setTimeout(() => process.exit(code), 50).unref();
