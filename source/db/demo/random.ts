import {createHash} from 'node:crypto';

// Deterministic randomness for the rows generated in TypeScript (communities, tokens): the same seed gives the same
// values on every machine, whatever the database.

export type Random = {
	/** Integer in [0, bound). */
	readonly int: (bound: number) => number;
	readonly pick: <T>(values: readonly T[]) => T;
	readonly chance: (percent: number) => boolean;
};

/** mulberry32 over a 32-bit state derived from the seed and a stream name. */
export function seededRandom(seed: number, stream: string): Random {
	let state = createHash('sha256').update(`${stream}:${seed}`).digest().readUInt32LE(0);
	const next = (): number => {
		state = (state + 0x6d_2b_79_f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};

	const int = (bound: number) => Math.floor(next() * bound);
	return {
		int,
		pick: values => values[int(values.length)]!,
		chance: percent => next() * 100 < percent,
	};
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 40 alphanumeric characters, deterministic from the seed and a label (a Sanctum token's plain part). */
export function plainToken(seed: number, label: string): string {
	let output = '';
	let counter = 0;
	while (output.length < 40) {
		const bytes = createHash('sha256').update(`community-runbook-demo:${label}:${seed}:${counter++}`).digest();
		for (const byte of bytes) {
			// 248 = 4 × 62: rejecting the top bytes keeps the characters uniform.
			if (byte < 248 && output.length < 40) {
				output += alphabet[byte % 62];
			}
		}
	}

	return output;
}
