#!/usr/bin/env node
// Installed entry point: run the TypeScript sources through tsx so the bin and `npm start` behave alike.
import {register} from 'tsx/esm/api';
register();
await import('../source/cli.tsx');
