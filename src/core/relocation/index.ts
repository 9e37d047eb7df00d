/** CNAB 103 relocation mappings: model, offline check against a bundle, and the live-check result model (pure). */
export * from './mapping.js';
export * from './check.js';
export * from './result.js';
