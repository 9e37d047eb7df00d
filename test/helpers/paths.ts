/** Paths tests need: the repository root and the vendored reference fixtures (test/fixtures, see its README). */
import path from 'node:path';
import { repoRoot, fixturesDir } from './fixtures.js';

export { repoRoot, fixturesDir };
/** Canonical bundle digest vectors (test/fixtures/vectors/README.md). */
export const vectorsDir = path.join(fixturesDir, 'vectors');
/** The CNAB specification's schemas and examples (cnabio/cnab-spec, Apache-2.0). */
export const cnabSpecDir = path.join(fixturesDir, 'cnab-spec');
/** The CLI entry point as built (defined with the CLI helpers). */
export { cliMain } from './cli.js';
