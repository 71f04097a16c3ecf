import {readFileSync} from 'node:fs';
import test from 'ava';
import {toolEnvironmentWords, toolNodeFlags} from '../../bench/common.js';

// The tool's V8 flags and its malloc environment are spelled in three places that cannot import each other: the bin's
// shebang, the start script, and the bench (which must measure the tool as it runs).
const root = new URL('../../', import.meta.url);

test('bin shebang, npm start and the bench run node with the same V8 flags and malloc settings', t => {
	const flags = toolNodeFlags.join(' ');
	const shebang = readFileSync(new URL('bin/community-runbook.js', root), 'utf8').split('\n')[0];
	t.is(shebang, `#!/usr/bin/env -S ${toolEnvironmentWords} node ${flags}`);
	const {scripts} = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {scripts: Record<string, string>};
	t.is(scripts.start, `${toolEnvironmentWords} node ${flags} bin/community-runbook.js`);
});
