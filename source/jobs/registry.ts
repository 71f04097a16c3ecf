import type {Job} from './job.js';
import {prerequisites} from './prerequisites.js';
import {seedBaseline} from './seed-baseline.js';

/** Every job the runbook can name; a step whose job is missing here shows as unavailable, never as done. */
export const jobRegistry: Readonly<Record<string, Job<any>>> = {
	prerequisites,
	'seed-baseline': seedBaseline,
};
