/**
 * `--layout-keys` takes both spellings in every command that has it: a comma list (`sign`, `pipeline`) and
 * space-separated or repeated values (`intoto verify`), through the one coercion in cli/list-flag.ts.
 * Each command's own builder parses the arguments (test/helpers/cli-parse.ts).
 */
import assert from 'node:assert/strict';
import type { CommandModule } from 'yargs';
import sign from '../../../src/cli/commands/sign.js';
import pipeline from '../../../src/cli/commands/pipeline.js';
import intoto, { fastPath } from '../../../src/cli/commands/intoto.js';
import layout from '../../../src/cli/commands/layout.js';
import { splitList } from '../../../src/cli/list-flag.js';
import { parseCommand as parse } from '../../helpers/cli-parse.js';

const COMMANDS: [string, CommandModule, string[]][] = [
  ['sign', sign as CommandModule, ['sign', 'bundle.json', '--ref', 'example.com/org/app:1']],
  ['pipeline', pipeline as CommandModule, ['pipeline', '--bundle', 'bundle.json', '--ref', 'example.com/org/app:1']],
  ['intoto verify', intoto as CommandModule, ['intoto', 'verify', '--layout', 'root.layout']],
  ['layout show', layout as CommandModule, ['layout', 'show', 'root.layout']],
];

const FORMS: [string, string[]][] = [
  ['comma list', ['--layout-keys', 'a.pub,b.pub']],
  ['comma list with =', ['--layout-keys=a.pub,b.pub']],
  ['space-separated', ['--layout-keys', 'a.pub', 'b.pub']],
  ['repeated', ['--layout-keys', 'a.pub', '--layout-keys', 'b.pub']],
  ['mixed, trailing comma', ['--layout-keys', 'a.pub,', '--layout-keys', 'b.pub']],
];

describe('cli --layout-keys: comma list and repeated values in every command', () => {
  it('splitList splits every value at its commas and drops empty items', () => {
    assert.deepEqual(splitList(['a,b', 'c', '', ',d,']), ['a', 'b', 'c', 'd']);
    assert.deepEqual(splitList('a,b'), ['a', 'b']);
  });

  for (const [name, command, base] of COMMANDS) {
    describe(name, () => {
      for (const [form, flag] of FORMS) {
        it(`takes the ${form}`, async () => {
          const args = await parse(command, [...base, ...flag]);
          assert.deepEqual(args['layout-keys'], ['a.pub', 'b.pub']);
          assert.deepEqual(args['layoutKeys'], ['a.pub', 'b.pub']);
        });
      }
      it('still parses the flags after a space-separated list', async () => {
        const args = await parse(command, [...base, '--layout-keys', 'a.pub', 'b.pub', '--json']);
        assert.deepEqual(args['layout-keys'], ['a.pub', 'b.pub']);
        assert.equal(args['json'], true);
      });
    });
  }

  it('the intoto verify fast path leaves a comma list to yargs', () => {
    assert.equal(fastPath(['verify', '--layout', 'l', '--layout-keys', 'a.pub,b.pub']), undefined);
    assert.equal(fastPath(['verify', '--layout', 'l', '--layout-keys', 'a.pub', 'b.pub,c.pub']), undefined);
    assert.equal(typeof fastPath(['verify', '--layout', 'l', '--layout-keys', 'a.pub', 'b.pub']), 'function');
  });
});
