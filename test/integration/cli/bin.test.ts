/**
 * The package's executable, `dist/src/cli/cnab-trust.cjs`, which starts the esbuild bundle of `src/cli/bin.ts` (built by
 * `npm run build`): `intoto verify` runs from the bundle, every other command is handed to main.js. Both must
 * behave exactly as `node dist/src/cli/main.js` does: same output, same exit status.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, intotoFixtures } from '../../helpers/fixtures.js';
import { cliMain } from '../../helpers/cli.js';
import { vectorsDir } from '../../helpers/paths.js';

const bin = path.join(repoRoot, 'dist/src/cli/cnab-trust.cjs');
const cases = path.join(intotoFixtures, 'cases');

function run(entry: string, args: string[], cwd = repoRoot) {
  const r = spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', cwd });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli: the bundled executable (package bin)', () => {
  it('is the bin of package.json, executable, with a node shebang', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    assert.equal(path.join(repoRoot, pkg.bin['cnab-trust']!), bin);
    assert.ok((statSync(bin).mode & 0o111) !== 0, 'executable');
    assert.ok(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n'));
  });

  it('intoto verify: the same verdict, report and exit status as main.js, passing and failing', () => {
    for (const [c, status] of [
      ['demo-pass', 0],
      ['link-tampered', 1],
      ['rules-require-missing', 1],
    ] as const) {
      const dir = path.join(cases, c);
      const args = ['intoto', 'verify', '--layout', 'root.layout', '--layout-keys', 'alice.pub', '--links', '.', '--no-inspections', '--json'];
      const ours = run(bin, args, dir);
      const reference = run(cliMain, args, dir);
      assert.equal(ours.status, status, `${c}: ${ours.stderr}`);
      assert.equal(ours.status, reference.status, c);
      assert.deepEqual(JSON.parse(ours.stdout), JSON.parse(reference.stdout), c);
    }
  });

  it('hands every other command, help and usage errors to main.js', () => {
    const example = path.join(vectorsDir, 'cnab-101.01.bundle.json');
    for (const args of [['digest', example, '--json'], ['--help'], ['intoto', 'verify', '--help'], ['no-such-command'], ['intoto', 'verify', '--layout']]) {
      const ours = run(bin, args);
      const reference = run(cliMain, args);
      assert.equal(ours.status, reference.status, args.join(' '));
      assert.equal(ours.stdout, reference.stdout, args.join(' '));
      assert.equal(ours.stderr, reference.stderr, args.join(' '));
    }
  });
});
