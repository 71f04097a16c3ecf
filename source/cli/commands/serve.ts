import {z} from 'zod';
import {defineCommand} from '../define-command.js';

// `serve [--port=8080]` (DESIGN.md §7, §10): the reference profile-activity API until Ctrl-C / SIGTERM.

const portMessage = '--port must be a whole number from 1 to 65535';

const schema = z.object({
	port: z
		.string()
		.regex(/^\d{1,5}$/, portMessage)
		.transform(Number)
		.refine(port => port >= 1 && port <= 65_535, portMessage)
		.optional()
		.meta({flag: '--port <port>', description: 'port on 127.0.0.1 (default 8080)'}),
});

export type ServeOptions = z.output<typeof schema>;

export const serveCommand = defineCommand({
	name: 'serve',
	summary: 'Serve the reference profile-activity API',
	schema,
	run: async (context, options) => (await import('../actions/serve.js')).runServe(context, options),
});
