/**
 * Interop with the reference: every case of `test/fixtures/intoto-reference` (driven by
 * `expected/manifest.json`) is copied into an empty temp dir and verified with our verifier; the verdict and
 * the failure class (mapped to our codes) must equal what python `in-toto-verify` 1.3.1 gave.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { intotoVerify } from '../../../src/workflows/intoto/verify.js';
import { intotoFixtures, repoRoot } from '../../helpers/fixtures.js';
import { CODE_OF_CLASS } from '../../helpers/intoto-reference.js';

interface ManifestCase {
  case: string;
  verify_argv: string[];
  expected_exit_code: number;
  expected_verdict: 'PASS' | 'FAIL';
  expected_error_class: string | null;
}

/** `-l root.layout -k a.pub [b.pub] -t rsa [ecdsa]` -> layout and key files. */
function argsOf(argv: string[]): { layout: string; keys: string[] } {
  const l = argv.indexOf('-l');
  const k = argv.indexOf('-k');
  const keys: string[] = [];
  for (let i = k + 1; i < argv.length && !argv[i]!.startsWith('-'); i++) keys.push(argv[i]!);
  return { layout: argv[l + 1]!, keys };
}

const manifest = JSON.parse(readFileSync(path.join(intotoFixtures, 'expected/manifest.json'), 'utf8')) as ManifestCase[];

describe('in-toto verify: same verdicts as in-toto 1.3.1 on the reference fixtures', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'cnab-trust-intoto-case-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('has every case of the manifest', () => {
    assert.ok(manifest.length >= 28, `${manifest.length} cases`);
  });

  for (const c of manifest) {
    it(`${c.case}: ${c.expected_verdict}${c.expected_error_class ? ` (${c.expected_error_class})` : ''}`, async () => {
      cpSync(path.join(intotoFixtures, 'cases', c.case), tmp, { recursive: true });
      const { layout, keys } = argsOf(c.verify_argv);
      const report = await intotoVerify({
        layout: path.join(tmp, layout),
        layoutKeys: keys.map((k) => path.join(tmp, k)),
        links: tmp,
        workDir: tmp,
      });
      if (c.expected_verdict === 'PASS') {
        assert.equal(report.verified, true, JSON.stringify(report.error));
      } else {
        assert.equal(report.verified, false);
        assert.equal(report.error?.code, CODE_OF_CLASS[c.expected_error_class!], report.error?.message);
      }
      if (c.case === 'cmd-mismatch-warn-pass') assert.equal(report.warnings.length, 1);
      if (c.case === 'demo-pass') assert.deepEqual(report.warnings, []);
    });
  }

  it('the CLI exits 0 on a passing case and 1 with the code on a failing one, 2 on usage errors', () => {
    const main = path.join(repoRoot, 'dist/src/cli/main.js');
    for (const [c, status, code] of [
      ['demo-pass', 0, null],
      ['rules-require-missing', 1, 'E_INTOTO_RULE'],
    ] as const) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cnab-trust-intoto-cli-'));
      try {
        cpSync(path.join(intotoFixtures, 'cases', c), dir, { recursive: true });
        const r = spawnSync(process.execPath, [main, 'intoto', 'verify', '--layout', 'root.layout', '--layout-keys', 'alice.pub', '--links', '.', '--json'], {
          cwd: dir,
          encoding: 'utf8',
        });
        assert.equal(r.status, status, r.stderr);
        const report = JSON.parse(r.stdout) as { verified: boolean; error?: { code: string; subject?: string } };
        assert.equal(report.verified, status === 0);
        if (code !== null) {
          assert.equal(report.error?.code, code);
          assert.match(report.error?.subject ?? '', /REQUIRE LICENSE/);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const usage = spawnSync(process.execPath, [main, 'intoto', 'verify', '--links', '.'], { encoding: 'utf8' });
    assert.equal(usage.status, 2);
  });
});
