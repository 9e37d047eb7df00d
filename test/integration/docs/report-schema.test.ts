/**
 * docs/schemas/verify-report.schema.json describes what `cnab-trust verify --json` prints: reports of real runs
 * (verified with an in-toto chain, refused at the bundle stage, skipped stages) must be valid against it, and the
 * schema must refuse what is not a report.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { runCliIn } from '../../helpers/cli.js';
import { makeChain } from '../../helpers/intoto-chain.js';
import { repoRoot } from '../../helpers/paths.js';
import { addRelease } from '../../helpers/release.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { TufTestRepo } from '../../helpers/tuf-repo.js';
import { canonicalBundle, parseBundle } from '../../../src/core/cnab/index.js';

const schema = JSON.parse(readFileSync(path.join(repoRoot, 'docs/schemas/verify-report.schema.json'), 'utf8')) as object;

describe('docs/schemas/verify-report.schema.json', function () {
  this.timeout(120_000);
  let tmp: ReturnType<typeof makeTempDir>;
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
  const check = (report: unknown): void => assert.ok(validate(report), JSON.stringify(validate.errors, null, 1));

  const canonical = canonicalBundle(parseBundle(readFileSync(path.join(repoRoot, 'test/fixtures/relocation/bundle.json')))).bytes;

  before(() => {
    tmp = makeTempDir('cnab-trust-schema-');
  });
  after(() => tmp.remove());

  /** `cnab-trust verify --json` of `bytes` against a repository signing the canonical bundle (with in-toto or not). */
  function verifyJson(label: string, bytes: Buffer, intoto: boolean): { status: number | null; report: unknown } {
    const dir = path.join(tmp.dir, label);
    const repo = new TufTestRepo(path.join(dir, 'metadata'));
    addRelease(repo, '1.0.0', Buffer.from(canonical), intoto ? { chain: makeChain(Buffer.from(canonical), { steps: 2 }) } : {});
    repo.publish();
    writeFileSync(path.join(dir, 'root.json'), repo.trustedRoot());
    writeFileSync(path.join(dir, 'bundle.json'), bytes);
    const r = runCliIn(dir, ['verify', 'bundle.json', '--target', `${repo.gun}:1.0.0`, '--trusted-root', 'root.json', '--metadata', 'metadata', '--no-cache', '--json']);
    return { status: r.status, report: JSON.parse(r.stdout) };
  }

  it('a verified report with an in-toto supply chain is valid', () => {
    const { status, report } = verifyJson('verified', Buffer.from(canonical), true);
    assert.equal(status, 0);
    check(report);
  });

  it('a report with stages skipped (no in-toto, no relocation) is valid', () => {
    const { status, report } = verifyJson('skipped', Buffer.from(canonical), false);
    assert.equal(status, 0);
    check(report);
  });

  it('a refused report (bytes other than the signed ones) is valid, with its error', () => {
    const tampered = Buffer.from(canonical);
    tampered[tampered.indexOf('1.0.0')] = '2'.charCodeAt(0);
    const { status, report } = verifyJson('refused', tampered, false);
    assert.equal(status, 1);
    check(report);
    assert.equal((report as { error?: { code: string } }).error?.code, 'E_DIGEST_MISMATCH');
  });

  it('refuses what is not a verify report', () => {
    assert.equal(validate({ verified: 'yes', source: 'x', target: null, digest: null, steps: [], warnings: [] }), false);
    assert.equal(validate({ verified: false, source: 'x', target: null, digest: null, steps: [{ name: 'tls', ok: true, summary: '' }], warnings: [] }), false);
    assert.equal(validate({ verified: false, source: 'x', target: null, digest: 'md5:00', steps: [], warnings: [] }), false);
  });
});
