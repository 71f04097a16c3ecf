import {z} from 'zod';
import {defineCommand} from '../define-command.js';

// `evidence list | verify <dir> | export <dir> --format=md|json|html [--out=FILE]` (DESIGN.md §9, §10).

const schema = z.object({
	args: z.array(z.string().optional()).default([]),
	format: z.string().optional().meta({flag: '--format <format>', description: 'export format: md | json | html'}),
	out: z.string().optional().meta({flag: '--out <file>', description: 'write the export to a file (0600) instead of stdout'}),
});

export const evidenceCommand = defineCommand({
	name: 'evidence',
	summary: 'evidence list | verify <dir> | export <dir> --format=md|json|html',
	arguments: ['<action>', '[dir]'],
	schema,
	run: async (context, options) => (await import('../actions/evidence.js')).runEvidence(context, options),
});
