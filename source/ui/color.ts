import {createContext, useContext} from 'react';

// NO_COLOR (https://no-color.org): colours are decoration only; every state also has a symbol and a word. Ink's chalk
// does not read NO_COLOR, so the session decides once and the components ask `useTint()` before passing a colour.

export type Tint = (color: string) => string | undefined;

export const ColorContext = createContext<boolean>(true);

export function useTint(): Tint {
	const enabled = useContext(ColorContext);
	return color => (enabled ? color : undefined);
}
