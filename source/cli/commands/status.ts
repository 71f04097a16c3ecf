import {z} from 'zod';
import {defineCommand} from '../define-command.js';

// `status` (DESIGN.md §10): runs, batches, lock holder, flag state. Read-only.

export const statusCommand = defineCommand({
	name: 'status',
	summary: 'Runs, batches, lock holder and flag state',
	schema: z.object({}),
	run: async context => (await import('../actions/status.js')).runStatus(context),
});
