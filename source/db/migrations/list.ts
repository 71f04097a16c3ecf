import {Migration20261125000000} from './Migration20261125000000.js';
import {Migration20261125010000} from './Migration20261125010000.js';

export const migrationsList = [
	{name: 'Migration20261125000000', class: Migration20261125000000},
	{name: 'Migration20261125010000', class: Migration20261125010000},
];
