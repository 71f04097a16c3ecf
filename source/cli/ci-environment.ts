/**
 * Whether the environment says CI, decided exactly as Ink's own check (is-in-ci) decides it: CI or
 * CONTINUOUS_INTEGRATION present with any value but "0" or "false", an empty one included. Ink in CI draws only the
 * last frame, so a guided session started where the two disagreed would show a blank screen until it ended.
 */
export function isContinuousIntegration(env: NodeJS.ProcessEnv): boolean {
	const says = (name: string) => name in env && env[name] !== '0' && env[name] !== 'false';
	return says('CI') || says('CONTINUOUS_INTEGRATION');
}
