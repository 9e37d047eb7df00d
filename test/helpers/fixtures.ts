/** Where the shared in-toto reference fixtures live (`../shared/reference/intoto-fixtures` from the repo root). */
import path from 'node:path';
import { sharedRoot } from './paths.js';

export { repoRoot } from './paths.js';
export const intotoFixtures = path.join(sharedRoot, 'reference/intoto-fixtures');
