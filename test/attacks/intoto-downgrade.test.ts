/**
 * The online releases key switches in-toto off: the holder of `targets/releases` re-signs a
 * bundle target without `custom.in-toto`, although `targets` (offline) signed a root layout for that GUN. Whether
 * in-toto is required is decided by `targets` (a per-GUN policy target, written by `sign` with the layout) or by
 * the operator (`--require-intoto`), never by the releases key. Through the CLI, on a TUF repository directory.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import canonicalizeModule from 'canonicalize';
const canonicalize = canonicalizeModule as unknown as (value: unknown) => string | undefined;
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/fixtures.js';
import { makeChain } from '../helpers/intoto-chain.js';
import { addRelease } from '../helpers/release.js';
import { TufTestRepo } from '../helpers/tuf-repo.js';

/** The relocation fixture bundle in its canonical (signed) form. */
function canonicalBundle(): Buffer {
  const bundle = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/relocation/bundle.json'), 'utf8'));
  return Buffer.from(canonicalize(bundle)!);
}

interface Verdict {
  status: number | null;
  report: { verified: boolean; error?: { code: string }; steps: Array<{ name: string; ok: boolean; skipped?: boolean; checks?: string[]; summary: string }> };
}

function verify(dir: string, repo: { dir: string; root: Buffer }, target: string, ...extra: string[]): Verdict {
  const root = path.join(dir, 'trusted-root.json');
  writeFileSync(root, repo.root);
  const r = runCli('verify', path.join(dir, 'bundle.json'), '--target', target, '--trusted-root', root, '--metadata', repo.dir, '--json', ...extra);
  return { status: r.status, report: JSON.parse(r.stdout) };
}

describe('attacks: the releases key switches in-toto off', function () {
  this.timeout(120_000);
  let dir: string;
  const bytes = canonicalBundle();
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cnab-trust-attack-intoto-'));
    writeFileSync(path.join(dir, 'bundle.json'), bytes);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A repository where targets signed a layout (and, with `policy`, the GUN's policy); then the releases key re-signs 1.0.0 without in-toto. */
  function downgraded(policy: 'required' | 'optional' | undefined): { repo: TufTestRepo; target: string } {
    const repo = new TufTestRepo(path.join(dir, 'repo'));
    const release = addRelease(repo, '1.0.0', bytes, { chain: makeChain(bytes) });
    if (policy !== undefined) repo.addTarget(`${repo.gun}/cnab-trust/policy.json`, Buffer.from(JSON.stringify({ 'in-toto': policy })), undefined, 'targets');
    // the attacker: the same bundle, re-signed by targets/releases with no custom in-toto
    repo.addTarget(release.name, bytes);
    repo.versions['targets/releases']++;
    repo.publish();
    return { repo, target: release.name };
  }

  it('with the policy signed by targets: E_INTOTO_REQUIRED at the in-toto stage', () => {
    const { repo, target } = downgraded('required');
    const v = verify(dir, { dir: repo.dir, root: repo.trustedRoot() }, target);
    assert.equal(v.status, 1, JSON.stringify(v.report));
    assert.equal(v.report.error?.code, 'E_INTOTO_REQUIRED');
    assert.equal(v.report.steps.find((s) => s.name === 'in-toto')?.ok, false);
  });

  it('without a policy the bundle verifies (in-toto skipped), unless the operator passes --require-intoto', () => {
    const { repo, target } = downgraded(undefined);
    const plain = verify(dir, { dir: repo.dir, root: repo.trustedRoot() }, target);
    assert.equal(plain.status, 0, JSON.stringify(plain.report));
    const required = verify(dir, { dir: repo.dir, root: repo.trustedRoot() }, target, '--require-intoto');
    assert.equal(required.status, 1);
    assert.equal(required.report.error?.code, 'E_INTOTO_REQUIRED');
  });

  it('a policy listed by targets/releases instead of targets does not count', () => {
    const repo = new TufTestRepo(path.join(dir, 'repo'));
    repo.releasesPaths.push(`${repo.gun}/cnab-trust/*`);
    repo.addTarget(`${repo.gun}:1.0.0`, bytes);
    repo.addTarget(`${repo.gun}/cnab-trust/policy.json`, Buffer.from('{"in-toto":"required"}'));
    repo.publish();
    const v = verify(dir, { dir: repo.dir, root: repo.trustedRoot() }, `${repo.gun}:1.0.0`);
    assert.equal(v.status, 0, JSON.stringify(v.report));
    assert.match(v.report.steps.find((s) => s.name === 'in-toto')!.summary, /listed by targets\/releases, not by targets: ignored/);
  });

  it('cnab-trust sign publishes the policy with the layout, and the release it signs verifies under it', () => {
    const chain = makeChain(bytes);
    const metadata = path.join(dir, 'metadata');
    const keys = path.join(dir, 'keys');
    const gun = 'example.com/org/app';
    writeFileSync(path.join(dir, 'root.layout'), chain.layout);
    writeFileSync(path.join(dir, 'owner.pub'), chain.ownerKey.publicFile);
    mkdirSync(path.join(dir, 'links'));
    for (const [name, link] of chain.links) writeFileSync(path.join(dir, 'links', name), link);
    assert.equal(runCli('init', '--gun', gun, '--metadata', metadata, '--keys', keys).status, 0);
    const signed = runCli('sign', path.join(dir, 'bundle.json'), '--ref', `${gun}:1.0.0`, '--metadata', metadata, '--keys', keys,
      '--layout', path.join(dir, 'root.layout'), '--layout-keys', path.join(dir, 'owner.pub'), '--links', path.join(dir, 'links'));
    assert.equal(signed.status, 0, signed.stderr);
    const v = verify(dir, { dir: metadata, root: readFileSync(path.join(metadata, '1.root.json')) }, `${gun}:1.0.0`);
    assert.equal(v.status, 0, JSON.stringify(v.report));
    const intoto = v.report.steps.find((s) => s.name === 'in-toto')!;
    assert.ok(intoto.ok && intoto.skipped !== true);
    assert.ok(intoto.checks!.includes(`in-toto required by policy ${gun}/cnab-trust/policy.json, signed by targets`), intoto.checks!.join('\n'));
  });
});
