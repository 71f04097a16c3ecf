import {createRequire} from 'node:module';

// MikroORM ships CommonJS behind thin .mjs wrappers. An ESM `import` of it makes Node run cjs-module-lexer over
// every file the package re-exports before any code runs; require() loads the very same module instances without
// that pass. Measured on `status` (SQLite demo): MikroORM's load went from ~0.55 s to ~0.3 s of CPU. Types still come
// from the package's own declarations.
const require = createRequire(import.meta.url);

export const mikroOrmCore = require('@mikro-orm/core') as typeof import('@mikro-orm/core');
export const {defineEntity, Type} = mikroOrmCore;
