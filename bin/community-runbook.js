#!/usr/bin/env node
// Installed entry point: run the TypeScript sources through tsx with the project's tsconfig (JSX runtime,
// module resolution) whatever the working directory, so the bin and `npm start` behave alike.
import {register} from 'tsx/esm/api';

// React's production build: each TUI frame is about a quarter cheaper.
process.env.NODE_ENV ??= 'production';
register({tsconfig: new URL('../tsconfig.json', import.meta.url).pathname});
await import('../source/cli.tsx');
