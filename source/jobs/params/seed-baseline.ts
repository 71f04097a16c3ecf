import {z} from 'zod';

// seed-baseline's parameters (DESIGN.md §3.1); each flag declared once, here.

export const seedBaselineParameters = z.object({
	force: z.boolean().default(false).meta({flag: '--force', description: 'required in the production profile'}),
});
