/**
 * `--layout-keys` as the CLI process takes it: `intoto verify` and `layout show` with both keys of the reference's
 * two-signature layout in each spelling (the comma list goes through yargs, the plain list through the fast path).
 * The layout missing its second signature must still fail in every spelling: both keys reached the verifier.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { intotoFixtures } from '../../helpers/fixtures.js';
import { runCliIn } from '../../helpers/cli.js';

const SPELLINGS: string[][] = [
  ['--layout-keys', 'alice.pub', 'alice2.pub'],
  ['--layout-keys', 'alice.pub,alice2.pub'],
  ['--layout-keys', 'alice.pub', '--layout-keys', 'alice2.pub'],
];

describe('cli --layout-keys spellings against the reference two-signature layouts', () => {
  let tmp: string;
  const caseDir = (name: string): string => {
    const dir = path.join(tmp, name);
    cpSync(path.join(intotoFixtures, 'cases', name), dir, { recursive: true });
    return dir;
  };
  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'cnab-trust-layout-keys-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  for (const keys of SPELLINGS) {
    it(`intoto verify and layout show ${keys.join(' ')}`, () => {
      const pass = caseDir('layout-two-sigs-pass');
      const ok = runCliIn(pass, ['intoto', 'verify', '--layout', 'root.layout', ...keys, '--links', '.', '--json']);
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      assert.equal((JSON.parse(ok.stdout) as { layoutKeys: string[] }).layoutKeys.length, 2);
      const show = runCliIn(pass, ['layout', 'show', 'root.layout', ...keys, '--json']);
      assert.equal(show.status, 0, show.stderr);
      assert.deepEqual((JSON.parse(show.stdout) as { signatures: { verified: boolean }[] }).signatures.map((s) => s.verified), [true, true]);
      rmSync(pass, { recursive: true, force: true });

      const missing = caseDir('layout-missing-second-sig');
      const bad = runCliIn(missing, ['intoto', 'verify', '--layout', 'root.layout', ...keys, '--links', '.', '--json']);
      assert.equal(bad.status, 1, bad.stdout + bad.stderr);
      assert.equal((JSON.parse(bad.stdout) as { error: { code: string } }).error.code, 'E_INTOTO_LAYOUT_SIGNATURE');
      rmSync(missing, { recursive: true, force: true });
    });
  }
});
