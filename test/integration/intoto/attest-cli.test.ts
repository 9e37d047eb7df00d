/** `cnab-trust attest` / `attest verify` as processes: exit statuses and error codes on bad input. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, runCli, writeKeyPair } from './cli-helpers.js';
import { intotoFixtures } from '../../helpers/fixtures.js';

describe('intoto attest: CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cnab-trust-attest-'));
    copyFileSync(path.join(repoRoot, 'test/fixtures/intoto/bundle.json'), path.join(dir, 'bundle.json'));
    writeKeyPair(dir, 'release', 'ecdsa');
    writeKeyPair(dir, 'other', 'ed25519');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('attests, verifies against the bundle (exit 0), and reports JSON', () => {
    const a = runCli(dir, ['attest', 'bundle.json', '--key', 'release', '-o', 'att.json']);
    assert.equal(a.status, 0, a.stderr);
    const v = runCli(dir, ['attest', 'verify', 'att.json', '--key', 'release.pub', '--bundle', 'bundle.json', '--json']);
    assert.equal(v.status, 0, v.stderr);
    const report = JSON.parse(v.stdout) as { verified: boolean; predicateType: string; matchedSubject: string };
    assert.equal(report.verified, true);
    assert.equal(report.predicateType, 'https://slsa.dev/provenance/v1');
    assert.equal(report.matchedSubject, 'helloworld@0.1.1');
  });

  it('the link predicate of a step: --predicate-type link --link FILE', () => {
    const link = path.join(intotoFixtures, 'cases/demo-pass/package.5b000b04.link');
    const a = runCli(dir, ['attest', 'bundle.json', '--key', 'release', '--predicate-type', 'link', '--link', link, '-o', 'link-att.json']);
    assert.equal(a.status, 0, a.stderr);
    const v = runCli(dir, ['attest', 'verify', 'link-att.json', '--key', 'release.pub', '--bundle', 'bundle.json', '--json']);
    assert.equal(v.status, 0, v.stderr);
    const r = JSON.parse(v.stdout) as { predicateType: string; predicate: { name: string; materials: { name: string }[] } };
    assert.equal(r.predicateType, 'https://in-toto.io/attestation/link/v0.3');
    assert.equal(r.predicate.name, 'package');
    assert.deepEqual(r.predicate.materials.map((m) => m.name), ['foo.py']);
    assert.equal(runCli(dir, ['attest', 'bundle.json', '--key', 'release', '--predicate-type', 'link', '-o', 'x.json']).status, 2);
  });

  it('fails (exit 1) with another key, another bundle, a tampered attestation', () => {
    assert.equal(runCli(dir, ['attest', 'bundle.json', '--key', 'release', '-o', 'att.json']).status, 0);
    const wrongKey = runCli(dir, ['attest', 'verify', 'att.json', '--key', 'other.pub', '--json']);
    assert.equal(wrongKey.status, 1);
    assert.equal((JSON.parse(wrongKey.stdout) as { error: { code: string } }).error.code, 'E_SIGNATURE_INVALID');

    const b = JSON.parse(readFileSync(path.join(dir, 'bundle.json'), 'utf8')) as { version: string };
    b.version = '9.9.9';
    writeFileSync(path.join(dir, 'bundle2.json'), JSON.stringify(b));
    const otherBundle = runCli(dir, ['attest', 'verify', 'att.json', '--key', 'release.pub', '--bundle', 'bundle2.json', '--json']);
    assert.equal(otherBundle.status, 1);
    assert.equal((JSON.parse(otherBundle.stdout) as { error: { code: string } }).error.code, 'E_DIGEST_MISMATCH');

    const att = JSON.parse(readFileSync(path.join(dir, 'att.json'), 'utf8')) as { dsseEnvelope: { payload: string } };
    const st = JSON.parse(Buffer.from(att.dsseEnvelope.payload, 'base64').toString()) as { predicateType: string };
    st.predicateType = 'https://example.com/other/v1';
    att.dsseEnvelope.payload = Buffer.from(JSON.stringify(st)).toString('base64');
    writeFileSync(path.join(dir, 'tampered.json'), JSON.stringify(att));
    assert.equal(runCli(dir, ['attest', 'verify', 'tampered.json', '--key', 'release.pub']).status, 1);
  });

  it('bad input: missing key file (exit 3), a file that is no key (exit 1), unknown predicate type (exit 2)', () => {
    const missing = runCli(dir, ['attest', 'bundle.json', '--key', 'nope', '-o', 'x.json', '--json']);
    assert.equal(missing.status, 3);
    assert.equal((JSON.parse(missing.stdout) as { error: { code: string } }).error.code, 'E_FILE_NOT_FOUND');
    const notKey = runCli(dir, ['attest', 'bundle.json', '--key', 'bundle.json', '-o', 'x.json', '--json']);
    assert.equal(notKey.status, 1);
    assert.match((JSON.parse(notKey.stdout) as { error: { code: string } }).error.code, /^E_KEY_/);
    assert.equal(runCli(dir, ['attest', 'bundle.json', '--key', 'release', '-o', 'x.json', '--predicate-type', 'nonsense']).status, 2);
    assert.equal(runCli(dir, ['attest', 'bundle.json', '--key', 'release', '-o', 'x.json', '--predicate-type', 'https://example.com/p/v1']).status, 2);
  });
});
