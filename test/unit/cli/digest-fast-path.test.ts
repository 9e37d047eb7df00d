/**
 * The `digest` fast path (no yargs): an existing file with plain --json/--quiet/--debug only;
 * everything else (help, other flags, stored bundles, missing files) is left to yargs, and both give the same output.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fastPath } from '../../../src/cli/commands/digest.js';
import { cliMain } from '../../helpers/cli.js';
import { vectorsDir } from '../../helpers/paths.js';

const example = path.join(vectorsDir, 'cnab-101.01.bundle.json');

describe('cli digest fast path', () => {
  it('takes an existing file with plain output flags', () => {
    for (const argv of [[example], [example, '--json'], [example, '--quiet', '--debug']]) {
      assert.equal(typeof fastPath(argv), 'function', argv.join(' '));
    }
  });

  it('leaves help, other flags, repeated flags, stored bundles and missing files to yargs', () => {
    for (const argv of [
      [],
      ['--help'],
      [example, '--help'],
      [example, '--json', '--json'],
      [example, '--insecure'],
      ['--json', example],
      ['oci:some/dir:1.0'],
      ['docker://example.com/org/app:1'],
      ['example.com/org/app:1.0.0'],
      ['no-such-file.json'],
    ]) {
      assert.equal(fastPath(argv), undefined, argv.join(' '));
    }
  });

  it('prints what the yargs path prints', () => {
    const run = (args: string[]) => spawnSync(process.execPath, [cliMain, 'digest', ...args], { encoding: 'utf8' });
    for (const [fast, parsed] of [
      [[example, '--json'], ['--json', example]],
      [[example], ['--quiet=false', example]],
    ] as const) {
      const a = run([...fast]);
      const b = run([...parsed]);
      assert.equal(a.status, 0, a.stderr);
      assert.equal(a.status, b.status);
      assert.equal(a.stdout, b.stdout);
      assert.equal(a.stderr, b.stderr);
    }
  });
});
