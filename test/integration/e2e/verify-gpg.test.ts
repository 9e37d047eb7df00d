/**
 * `verify` (CNAB-Sec 303) with a supply chain made by python in-toto 1.3.1 and Debian's gnupg: the layout's
 * functionary is a GPG key, its link made by `in-toto-run --gpg`, the layout signed by `in-toto-sign --gpg` and its
 * owner key published as a TUF target in the form `gpg --export --armor` writes. It verifies end to end; a
 * tampered link, or an owner key that has expired, fails the in-toto stage.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TufTestRepo } from '../../helpers/tuf-repo.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { addRelease } from '../../helpers/release.js';
import { GpgHome, GPG_LAYOUT_PY, ok } from '../../helpers/gpg.js';
import { repoRoot } from '../../helpers/fixtures.js';
import type { SignedChain } from '../../helpers/intoto-chain.js';
import type { GeneratedKey } from '../../../src/core/crypto/keygen.js';
import { canonicalBundle, parseBundle } from '../../../src/core/cnab/index.js';
import { verifyBundle } from '../../../src/workflows/verify/bundle.js';



describe('verify: a bundle whose supply chain is GPG-signed by python in-toto (gnupg), through TUF', function () {
  this.timeout(300_000);
  let home: GpgHome;
  let tmp: ReturnType<typeof makeTempDir>;
  const canonical = canonicalBundle(parseBundle(readFileSync(path.join(repoRoot, 'test/fixtures/relocation/bundle.json')))).bytes;

  before(() => {
    home = new GpgHome();
    tmp = makeTempDir('cnab-trust-e2e-gpg-');
  });
  after(() => {
    home?.remove();
    tmp?.remove();
  });

  /** A python-made chain: one step `build` producing bundle.json, signed by `functionary`; the layout by `owner`. */
  function pythonChain(label: string, owner: string, functionary: string, signEnv: Record<string, string> = {}): SignedChain {
    const dir = path.join(tmp.dir, label);
    ok(home.python(tmp.dir, '/usr/bin/mkdir', ['-p', dir]), 'mkdir');
    writeFileSync(path.join(dir, 'spec.json'), JSON.stringify({ steps: [{ name: 'build', keyids: [functionary], products: [['CREATE', 'bundle.json'], ['DISALLOW', '*']], command: ['cp', 'in.json', 'bundle.json'] }] }));
    writeFileSync(path.join(dir, 'in.json'), canonical);
    ok(home.python(dir, '/usr/bin/python3', [GPG_LAYOUT_PY, 'spec.json', 'root.layout']), 'layout');
    ok(home.python(dir, 'in-toto-sign', ['-f', 'root.layout', '-g', owner], signEnv), 'in-toto-sign --gpg');
    ok(home.python(dir, 'in-toto-run', ['-n', 'build', '-g', functionary, '-p', 'bundle.json', '--', 'cp', 'in.json', 'bundle.json']), 'in-toto-run --gpg');
    const linkName = `build.${functionary.toLowerCase().slice(0, 8)}.link`;
    // addRelease publishes ownerKey.publicFile under a name made of ownerKey.publicKey.keyid
    const ownerKey = { publicKey: { keyid: owner.toLowerCase() }, publicFile: home.exportArmored(owner).toString('utf8') } as unknown as GeneratedKey;
    return { ownerKey, functionaries: [], layout: readFileSync(path.join(dir, 'root.layout')), links: new Map([[linkName, readFileSync(path.join(dir, linkName))]]) };
  }

  function verifyChain(label: string, chain: SignedChain) {
    const dir = path.join(tmp.dir, `${label}-repo`);
    const repo = new TufTestRepo(path.join(dir, 'metadata'));
    addRelease(repo, '1.0.0', canonical, { chain });
    repo.publish();
    const bundleFile = path.join(dir, 'bundle.json');
    writeFileSync(bundleFile, canonical);
    return verifyBundle({ bundle: bundleFile, target: `${repo.gun}:1.0.0`, trustedRoot: repo.trustedRoot(), metadata: repo.dir });
  }

  it('verifies end to end with an RSA owner and an EdDSA functionary (and a DSA owner with an RSA functionary)', async () => {
    const rsa = home.generate('Owner <owner@e2e.test>', 'rsa2048');
    const ed = home.generate('Func <func@e2e.test>', 'ed25519');
    const report = await verifyChain('rsa-ed', pythonChain('rsa-ed', rsa, ed));
    assert.equal(report.verified, true, JSON.stringify(report.error));
    const intoto = report.steps.find((s) => s.name === 'in-toto')!;
    assert.ok(intoto.checks!.some((c) => /final product bundle\.json is the verified bundle/.test(c)), intoto.checks!.join('\n'));

    const dsa = home.generate('Owner DSA <dsa@e2e.test>', 'dsa2048');
    const report2 = await verifyChain('dsa-rsa', pythonChain('dsa-rsa', dsa, rsa));
    assert.equal(report2.verified, true, JSON.stringify(report2.error));
  });

  it('a tampered link fails with E_INTOTO_THRESHOLD; an expired owner key with E_KEY_EXPIRED', async () => {
    const owner = home.generate('Owner2 <owner2@e2e.test>', 'rsa2048');
    const func = home.generate('Func2 <func2@e2e.test>', 'rsa2048');
    const chain = pythonChain('tamper', owner, func);
    const [name, bytes] = [...chain.links][0]!;
    chain.links.set(name, Buffer.from(bytes.toString('utf8').replace('"cp"', '"mv"')));
    const report = await verifyChain('tamper', chain);
    assert.equal(report.error?.code, 'E_INTOTO_THRESHOLD', JSON.stringify(report.error));

    const old = home.generate('Old <old@e2e.test>', 'rsa2048', { expire: '1d', fakedTime: '20200101T000000' });
    const report2 = await verifyChain('expired', pythonChain('expired', old, func, { GNUPG: 'gpg --faked-system-time 20200101T120000' }));
    assert.equal(report2.error?.code, 'E_KEY_EXPIRED', JSON.stringify(report2.error));
  });
});
