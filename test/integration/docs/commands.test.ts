/**
 * docs/commands.md is the command reference generated from the yargs definitions (scripts/command-reference.mjs):
 * it must be exactly what the built CLI prints now, and name every top-level command.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMAND_WORDS } from '../../../src/cli/command-words.js';
import { repoRoot } from '../../helpers/paths.js';

describe('docs/commands.md, the command reference', () => {
  it('is what scripts/command-reference.mjs generates from the CLI now (run npm run docs:commands)', function () {
    this.timeout(300_000);
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/command-reference.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr + r.stdout);
  });

  it('has a section for every top-level command and every command module', () => {
    const reference = readFileSync(path.join(repoRoot, 'docs/commands.md'), 'utf8');
    const modules = readdirSync(path.join(repoRoot, 'src/cli/commands'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3));
    for (const word of new Set([...COMMAND_WORDS, ...modules])) {
      assert.ok(reference.includes(`\n## \`cnab-trust ${word}\`\n`), `command ${word} has no section in docs/commands.md`);
    }
  });
});
