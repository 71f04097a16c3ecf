import {z} from 'zod';

// A runbook is data (STYLE.md): parsed at load so a typo fails before anything runs.

const stepId = z.string().regex(/^[a-z][a-z\d]*(-[a-z\d]+)*$/, 'step ids are kebab-case');

const confirmation = z.union([
	z.literal('none'),
	z.literal('confirm'),
	z.object({policy: z.literal('type-to-confirm'), word: z.string().regex(/^[a-z]+$/)}),
]);

/**
 * A parameter taken from an earlier step of the same session: its job run id (`run-id`) or a parameter it resolved
 * (`resolved.<name>`, e.g. the absolute --since a dry run fixed). Without `step`, the session's own run id.
 */
const need = z.object({step: stepId.optional(), value: z.union([z.literal('run-id'), z.string().regex(/^resolved\.[A-Za-z]\w*$/)])});

export const runbookStepSchema = z.object({
	id: stepId,
	title: z.string().min(1),
	description: z.string().min(1),
	phase: z.enum(['prerequisite', 'execute', 'dry-run', 'verify', 'rollback']),
	job: z.string().min(1),
	params: z.record(z.string(), z.unknown()).default({}),
	/** Parameters taken from earlier steps (see `need`). */
	needs: z.record(z.string(), need).default({}),
	confirmation,
	/** Steps that only run when chosen (rollback), never in the normal walk. */
	onDemand: z.boolean().default(false),
	/** Key figures shown next to a finished step. */
	keyMetrics: z.array(z.string()).default([]),
});

export const runbookSchema = z
	.object({
		id: z.string().min(1),
		title: z.string().min(1),
		steps: z.array(runbookStepSchema).min(1),
	})
	.superRefine((runbook, context) => {
		const seen = new Set<string>();
		for (const [index, step] of runbook.steps.entries()) {
			if (seen.has(step.id)) {
				context.addIssue({code: 'custom', path: ['steps', index, 'id'], message: `duplicate step id ${step.id}`});
			}

			for (const [param, source] of Object.entries(step.needs)) {
				if (source.step !== undefined && !seen.has(source.step)) {
					context.addIssue({code: 'custom', path: ['steps', index, 'needs', param], message: `step ${step.id} needs ${source.step}, which is not an earlier step`});
				}
			}

			seen.add(step.id);
		}
	});

export type RunbookInput = z.input<typeof runbookSchema>;
export type Runbook = z.output<typeof runbookSchema>;
export type RunbookStep = z.output<typeof runbookStepSchema>;

/** Typed helper for runbook files; validation happens in `loadRunbook`. */
export function defineRunbook(runbook: RunbookInput): RunbookInput {
	return runbook;
}

export function loadRunbook(input: RunbookInput): Runbook {
	const parsed = runbookSchema.safeParse(input);
	if (!parsed.success) {
		throw new Error(`Invalid runbook ${String(input.id)}: ${z.prettifyError(parsed.error)}`);
	}

	return parsed.data;
}
