import {z} from 'zod';

// rollback's parameters (DESIGN.md §8); each flag declared once, here.

export type RollbackParams = {run?: string | undefined; overwriteConflicts: boolean; batch: number};

export const rollbackParameters = z.object({
	run: z.string().trim().min(1, '--run needs a run id').optional().meta({flag: '--run <run id>', description: 'the run to undo: a job run, or a runbook run (its whole session); default: the newest with changes left'}),
	overwriteConflicts: z
		.union([z.boolean(), z.enum(['true', 'false']).transform(value => value === 'true')])
		.default(false)
		.meta({flag: '--overwrite-conflicts', description: 'also restore rows changed since the run'}),
	/** Journal rows per transaction; not a flag (tests and the runbook may set it). */
	batch: z.number().int().min(1).max(100_000).default(1000),
});
