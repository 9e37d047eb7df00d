/**
 * The library API of cnab-trust: what a TypeScript caller (a CI action, a runtime) imports.
 * The CLI is a thin layer over the same functions.
 */
export { CnabTrustError, type ErrorCode, ERROR_CODES, EXIT } from './core/errors.js';
