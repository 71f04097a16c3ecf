import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {PrerequisiteFailed} from './errors.js';

/** What the platform's environment says: the process environment, over `<app root>/.env` (DESIGN.md §2). */
export type AppEnvironment = {
	get(name: string): string | undefined;
	/** Where a variable's value came from: 'environment' or the .env file's path; undefined when unset. */
	sourceOf(name: string): string | undefined;
};

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads `<appRoot>/.env` as phpdotenv does for Laravel, with the process environment winning (Laravel loads it
 * into an immutable repository: nothing already set is overwritten, not even by a later line of the same file).
 * Like Laravel, an APP_ENV set in the environment selects `.env.<APP_ENV>` when that file exists.
 */
export async function readAppEnvironment(appRoot: string, processEnv: Environment): Promise<AppEnvironment> {
	const environmentFile = processEnv.APP_ENV ? join(appRoot, `.env.${processEnv.APP_ENV}`) : undefined;
	const loaded = (environmentFile ? await readOptionalFile(environmentFile) : undefined) ?? (await readOptionalFile(join(appRoot, '.env')));
	const fileValues = new Map<string, string>();
	if (loaded) {
		const lookup = (name: string) => processEnv[name] ?? fileValues.get(name);
		for (const {name, value} of parseDotenv(loaded.text, lookup)) {
			if (processEnv[name] === undefined && !fileValues.has(name)) {
				fileValues.set(name, value);
			}
		}
	}

	return {
		get: name => processEnv[name] ?? fileValues.get(name),
		sourceOf(name) {
			if (processEnv[name] !== undefined) {
				return 'environment';
			}

			return fileValues.has(name) ? loaded?.path : undefined;
		},
	};
}

async function readOptionalFile(path: string): Promise<{path: string; text: string} | undefined> {
	try {
		return {path, text: await readFile(path, 'utf8')};
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return undefined;
		}

		throw new PrerequisiteFailed(`Cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'read failed'}).`, {
			hint: 'Let the tool read the platform\'s .env (it holds APP_KEY and APP_TIMEZONE), or set those variables in the environment.',
		});
	}
}

const assignment = /^\s*(?:export\s+)?([\w.]+)\s*=\s*/;
const doubleQuotedEscapes: Readonly<Record<string, string>> = {n: '\n', r: '\r', t: '\t', f: '\f', v: '\v', '"': '"', '\\': '\\', $: '$'};

/**
 * phpdotenv's rules that matter here: `KEY=value`, an optional `export `, `#` comment lines and ` #` trailing
 * comments after unquoted values, 'single quotes' taken literally, "double quotes" with backslash escapes, both
 * quotes may span lines, and `${OTHER}` expanded in double-quoted and unquoted values (left as written when OTHER
 * is unknown, as phpdotenv does). A line that is not an assignment is ignored rather than failing the run.
 */
export function parseDotenv(text: string, lookup: (name: string) => string | undefined): Array<{name: string; value: string}> {
	const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
	const entries: Array<{name: string; value: string}> = [];
	const seen = new Map<string, string>();
	const resolve = (name: string) => lookup(name) ?? seen.get(name);
	for (let index = 0; index < lines.length; index++) {
		const match = assignment.exec(lines[index]!);
		if (!match || lines[index]!.trimStart().startsWith('#')) {
			continue;
		}

		let rest = lines[index]!.slice(match[0].length);
		const quote = rest[0] === '"' || rest[0] === '\'' ? rest[0] : undefined;
		let value: string;
		if (quote) {
			// Gather continuation lines until the closing quote (a quoted value may span lines).
			while (closingQuoteAt(rest, quote) < 0 && index + 1 < lines.length) {
				rest += `\n${lines[++index]!}`;
			}

			const end = closingQuoteAt(rest, quote);
			const inner = rest.slice(1, end < 0 ? undefined : end);
			value = quote === '\'' ? inner : unescapeAndExpand(inner, resolve);
		} else {
			value = expand(rest.replace(/(^|\s)#.*$/, '').trim(), resolve);
		}

		entries.push({name: match[1]!, value});
		if (!seen.has(match[1]!)) {
			seen.set(match[1]!, value);
		}
	}

	return entries;
}

function closingQuoteAt(text: string, quote: string): number {
	for (let position = 1; position < text.length; position++) {
		if (text[position] === '\\' && quote === '"') {
			position++;
		} else if (text[position] === quote) {
			return position;
		}
	}

	return -1;
}

/** One pass, so that an escaped `\${X}` stays literal. */
function unescapeAndExpand(value: string, resolve: (name: string) => string | undefined): string {
	return value.replaceAll(/\\(.)|\$\{([\w.]+)\}/gs, (whole, escaped: string | undefined, name: string | undefined) =>
		escaped === undefined ? (resolve(name!) ?? whole) : (doubleQuotedEscapes[escaped] ?? whole));
}

function expand(value: string, resolve: (name: string) => string | undefined): string {
	return value.replaceAll(/\$\{([\w.]+)\}/g, (whole, name: string) => resolve(name) ?? whole);
}

/**
 * The `'timezone' => …` of `<appRoot>/config/app.php`: a literal string, or `env('NAME', 'default')` (the variable's
 * value when the environment given has it, else the default). Undefined when the file or the key is missing, or the
 * value is something this reader does not evaluate.
 */
export async function readConfiguredTimeZone(appRoot: string, appEnvironment?: AppEnvironment): Promise<string | undefined> {
	let text: string;
	try {
		text = await readFile(join(appRoot, 'config', 'app.php'), 'utf8');
	} catch {
		return undefined;
	}

	const code = text.replaceAll(/\/\*[\s\S]*?\*\/|(?<![:'"])\/\/[^\n]*|^\s*#[^\n]*/gm, '');
	const literal = /['"]timezone['"]\s*=>\s*(?:'([^']*)'|"([^"]*)")/.exec(code);
	if (literal) {
		return literal[1] ?? literal[2];
	}

	const fromEnv = /['"]timezone['"]\s*=>\s*env\(\s*['"]([\w.]+)['"]\s*(?:,\s*(?:'([^']*)'|"([^"]*)")\s*)?\)/.exec(code);
	if (!fromEnv) {
		return undefined;
	}

	const fromEnvironment = appEnvironment?.get(fromEnv[1]!);
	return fromEnvironment === undefined || fromEnvironment === '' ? (fromEnv[2] ?? fromEnv[3]) : fromEnvironment;
}
