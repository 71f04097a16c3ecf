import {createRequire} from 'node:module';

// Loaded through require() for the reason entities/mikro-orm-core.ts gives.
const require = createRequire(import.meta.url);

export const {Migration} = require('@mikro-orm/migrations') as typeof import('@mikro-orm/migrations');
