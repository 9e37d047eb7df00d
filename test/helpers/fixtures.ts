/** Where the shared in-toto reference fixtures live (`../shared/reference/intoto-fixtures` from the repo root). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/..., sources from test/...). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', fileURLToPath(import.meta.url).includes(`${path.sep}dist${path.sep}`) ? '..' : '.');
export const intotoFixtures = path.resolve(repoRoot, '../shared/reference/intoto-fixtures');
