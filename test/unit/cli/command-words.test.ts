import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/fixtures.js';
import { COMMAND_WORDS } from '../../../src/cli/command-words.js';

describe('cli/command-words', () => {
  it('lists every module of src/cli/commands, sorted (the bundled CLI cannot read the directory)', () => {
    const files = readdirSync(path.join(repoRoot, 'src/cli/commands'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3))
      .sort();
    assert.deepEqual([...COMMAND_WORDS], files);
  });
});
