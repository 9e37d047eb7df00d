/** Paths tests need: the repository root and the shared reference folder (`../shared` from the root). */
import path from 'node:path';
import { repoRoot } from './fixtures.js';

export { repoRoot };
/** `../shared` from the repository root (read-only reference material, present in CI too). */
export const sharedRoot = path.resolve(repoRoot, '../shared');
export const vectorsDir = path.join(sharedRoot, 'reference/vectors');
export const cnabSpecDir = path.join(sharedRoot, 'reference/cnab-spec');
/** The CLI entry point as built (defined with the CLI helpers). */
export { cliMain } from './cli.js';
