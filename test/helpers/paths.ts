/** Paths tests need: the repository root and the shared reference folder (`../shared` from the root). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, found from the compiled location `dist/test/helpers/paths.js`. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** `../shared` from the repository root (read-only reference material, present in CI too). */
export const sharedRoot = path.resolve(repoRoot, '../shared');
export const vectorsDir = path.join(sharedRoot, 'reference/vectors');
export const cnabSpecDir = path.join(sharedRoot, 'reference/cnab-spec');
/** The CLI entry point as built. */
export const cliMain = path.join(repoRoot, 'dist/src/cli/main.js');
