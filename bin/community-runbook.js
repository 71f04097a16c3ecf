#!/usr/bin/env node
// Installed entry point: run the TypeScript sources through tsx with the project's tsconfig (JSX runtime,
// module resolution) whatever the working directory, so the bin and `npm start` behave alike.
import {register} from 'tsx/esm/api';

register({tsconfig: new URL('../tsconfig.json', import.meta.url).pathname});
await import('../source/cli.tsx');
