/**
 * GPG functionaries (issue 12 item 3): supply chains made by the python reference with Debian's gnupg — keys made
 * here in a temporary GNUPGHOME, the layout's functionary keys exported by in-toto 1.3.1 (securesystemslib), links
 * by `in-toto-run --gpg`, the layout signed with `in-toto-sign --gpg` — pass our `intoto verify` (with the owners'
 * keys as `gpg --export` files), and each tampering fails both verifiers with the same failure class.
 *
 * Keys: owners RSA, DSA and EdDSA (all three sign the layout); functionaries a DSA key, an EdDSA key and an RSA
 * key whose link is signed by its RSA signing subkey (the layout lists the primary key; the link is named by the
 * subkey, as in-toto-run names it). The other direction: links made by our `link run --gpg` pass both verifiers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GpgHome, GPG_LAYOUT_PY, ok } from '../../helpers/gpg.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { codesOfClass, referenceErrorClass } from '../../helpers/intoto-reference.js';
import { repoRoot } from '../../helpers/fixtures.js';
import { intotoVerify, type IntotoVerifyReport } from '../../../src/workflows/intoto/verify.js';
import { runCli } from './cli-helpers.js';



describe('in-toto GPG functionaries: python-made GPG chains against intoto verify (in-toto 1.3.1, gnupg)', function () {
  this.timeout(300_000);
  let home: GpgHome;
  let tmp: ReturnType<typeof makeTempDir>;
  let work: string;
  const owners: string[] = [];
  let dsa: string, eddsa: string, rsa: string, rsaSub: string;

  /** Python in-toto-verify with the owners' keys from the keyring; the verdict and the exception class. */
  function reference(dir: string, ownerFprs: readonly string[] = owners): { verified: boolean; errorClass: string | null; stderr: string } {
    const r = home.python(dir, 'in-toto-verify', ['-l', 'root.layout', '-g', ...ownerFprs]);
    return { verified: r.status === 0, errorClass: r.status === 0 ? null : referenceErrorClass(r.stderr), stderr: r.stderr };
  }

  /** Ours, with the owners' keys as exported files (armored for the first, binary for the others). */
  async function ours(dir: string, ownerFprs: readonly string[] = owners): Promise<IntotoVerifyReport> {
    const keyFiles = ownerFprs.map((fpr, i) => {
      const file = path.join(dir, `owner-${i}.${i === 0 ? 'asc' : 'gpg'}`);
      writeFileSync(file, i === 0 ? home.exportArmored(fpr) : home.exportBinary(fpr));
      return file;
    });
    return intotoVerify({ layout: path.join(dir, 'root.layout'), layoutKeys: keyFiles, links: dir, workDir: dir, inspections: false });
  }

  async function sameVerdict(dir: string, expectedClass: string | null, ownerFprs: readonly string[] = owners): Promise<void> {
    const ref = reference(dir, ownerFprs);
    const mine = await ours(dir, ownerFprs);
    assert.equal(ref.errorClass, expectedClass, ref.stderr);
    assert.equal(ref.verified, expectedClass === null, ref.stderr);
    assert.equal(mine.verified, expectedClass === null, JSON.stringify(mine.error));
    if (expectedClass !== null) assert.ok(codesOfClass(expectedClass).includes(mine.error!.code), `${expectedClass} vs ${mine.error!.code}: ${mine.error!.message}`);
  }

  function sign(dir: string, fprs: readonly string[]): void {
    ok(home.python(dir, 'in-toto-sign', ['-f', 'root.layout', '-g', ...fprs]), 'in-toto-sign --gpg');
  }

  /** A fresh copy of the chain in its own directory. */
  function copy(label: string): string {
    const dir = path.join(tmp.dir, label);
    spawnSync('cp', ['-r', work, dir]);
    return dir;
  }

  before(() => {
    home = new GpgHome();
    tmp = makeTempDir('cnab-trust-gpg-chain-');
    work = path.join(tmp.dir, 'work');
    spawnSync('mkdir', [work]);
    owners.push(home.generate('Owner RSA <rsa@owner.test>', 'rsa2048'), home.generate('Owner DSA <dsa@owner.test>', 'dsa2048'), home.generate('Owner Ed <ed@owner.test>', 'ed25519'));
    dsa = home.generate('Dave DSA <dave@func.test>', 'dsa2048');
    eddsa = home.generate('Erin Ed <erin@func.test>', 'ed25519');
    rsa = home.generate('Rita RSA <rita@func.test>', 'rsa2048');
    rsaSub = home.addSigningSubkey(rsa, 'rsa2048');
    writeFileSync(
      path.join(work, 'spec.json'),
      JSON.stringify({
        steps: [
          { name: 'write', keyids: [dsa], products: [['CREATE', 'foo.py'], ['DISALLOW', '*']], command: ['sh', '-c', 'echo hi > foo.py'] },
          { name: 'pack', keyids: [eddsa], materials: [['MATCH', 'foo.py', 'WITH', 'PRODUCTS', 'FROM', 'write'], ['DISALLOW', '*']], products: [['CREATE', 'foo.tgz'], ['DISALLOW', '*']], command: ['tar', 'czf', 'foo.tgz', 'foo.py'] },
          { name: 'sign-off', keyids: [rsa], materials: [['MATCH', 'foo.tgz', 'WITH', 'PRODUCTS', 'FROM', 'pack'], ['DISALLOW', '*']] },
        ],
      }),
    );
    ok(home.python(work, '/usr/bin/python3', [GPG_LAYOUT_PY, 'spec.json', 'root.layout']), 'layout from the keyring');
    sign(work, owners);
    ok(home.python(work, 'in-toto-run', ['-n', 'write', '-g', dsa, '-p', 'foo.py', '--', 'sh', '-c', 'echo hi > foo.py']), 'in-toto-run write');
    ok(home.python(work, 'in-toto-run', ['-n', 'pack', '-g', eddsa, '-m', 'foo.py', '-p', 'foo.tgz', '--', 'tar', 'czf', 'foo.tgz', 'foo.py']), 'in-toto-run pack');
    ok(home.python(work, 'in-toto-run', ['-n', 'sign-off', '-g', rsaSub, '-m', 'foo.tgz', '--no-command']), 'in-toto-run sign-off (subkey)');
  });

  after(() => {
    home?.remove();
    tmp?.remove();
  });

  it('the chain passes both verifiers: RSA, DSA and EdDSA owners and functionaries, a link signed by a subkey', async () => {
    const layout = JSON.parse(readFileSync(path.join(work, 'root.layout'), 'utf8')) as { signed: { keys: Record<string, { subkeys?: Record<string, unknown> }> } };
    assert.ok(layout.signed.keys[rsa.toLowerCase()]!.subkeys![rsaSub.toLowerCase()], 'the layout lists the RSA key with its subkey');
    assert.ok(readFileSync(path.join(work, `sign-off.${rsaSub.toLowerCase().slice(0, 8)}.link`)).length > 0, 'the link is named by the subkey');
    await sameVerdict(work, null);
    const report = await ours(work);
    assert.deepEqual(
      report.steps.map((s) => s.links),
      [[`write.${dsa.toLowerCase().slice(0, 8)}.link`], [`pack.${eddsa.toLowerCase().slice(0, 8)}.link`], [`sign-off.${rsaSub.toLowerCase().slice(0, 8)}.link`]],
    );
  });

  it('the package executable verifies it too (openpgp.js in its own bundle chunk), with one owner key', () => {
    const dir = copy('bin');
    writeFileSync(path.join(dir, 'owner.asc'), home.exportArmored(owners[2]!));
    const bin = path.join(repoRoot, 'dist/src/cli/cnab-trust.cjs');
    const r = spawnSync(process.execPath, [bin, 'intoto', 'verify', '--layout', 'root.layout', '--layout-keys', 'owner.asc', '--links', '.', '--json'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.equal((JSON.parse(r.stdout) as { verified: boolean }).verified, true);
  });

  for (const [label, file, from, to] of [
    ['a DSA-signed link', 'write', 'echo hi', 'echo ho'],
    ['an EdDSA-signed link', 'pack', '"foo.py"', '"foo.pyc"'],
    ['a link signed by an RSA subkey', 'sign-off', '"sign-off"', '"sign-of"'],
  ] as const) {
    it(`tampering with ${label} fails both with ThresholdVerificationError`, async () => {
      const dir = copy(`tamper-${file}`);
      const fpr = { write: dsa, pack: eddsa, 'sign-off': rsaSub }[file];
      const link = path.join(dir, `${file}.${fpr.toLowerCase().slice(0, 8)}.link`);
      const text = readFileSync(link, 'utf8');
      assert.ok(text.includes(from), `${from} in ${text}`);
      writeFileSync(link, text.replace(from, to));
      await sameVerdict(dir, 'ThresholdVerificationError');
    });
  }

  it('a layout changed after signing fails both with SignatureVerificationError; so does a signature by another key', async () => {
    const dir = copy('tamper-layout');
    const file = path.join(dir, 'root.layout');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"readme": ""', '"readme": "evil"'));
    await sameVerdict(dir, 'SignatureVerificationError');
    const dir2 = copy('wrong-owner');
    sign(dir2, [owners[0]!]); // signed by the RSA owner only, verified with all three
    await sameVerdict(dir2, 'SignatureVerificationError');
  });

  it('a functionary key the layout does not list (a link re-signed by another GPG key) is not counted', async () => {
    const dir = copy('unauthorized');
    // pack's link signed by the RSA functionary's subkey instead, under the EdDSA functionary's file name
    ok(home.python(dir, 'in-toto-sign', ['-f', `pack.${eddsa.toLowerCase().slice(0, 8)}.link`, '-g', rsaSub, '-o', `pack.${eddsa.toLowerCase().slice(0, 8)}.link`]), 're-sign');
    await sameVerdict(dir, 'ThresholdVerificationError');
  });

  it('links made by cnab-trust link run --gpg (DSA, EdDSA, an RSA subkey) pass both verifiers; a tampered one fails both', async () => {
    const dir = copy('ours');
    spawnSync('sh', ['-c', 'rm -f *.link foo.py foo.tgz'], { cwd: dir });
    const env = { ...process.env, GNUPGHOME: home.dir };
    ok(runCli(dir, ['link', 'run', '--step', 'write', '--gpg', dsa, '-p', 'foo.py', '--', 'sh', '-c', 'echo hi > foo.py'], env), 'link run --gpg (DSA)');
    ok(runCli(dir, ['link', 'run', '--step', 'pack', '--gpg', eddsa, '-m', 'foo.py', '-p', 'foo.tgz', '--', 'tar', 'czf', 'foo.tgz', 'foo.py'], env), 'link run --gpg (EdDSA)');
    // --gpg-home instead of GNUPGHOME; the signing subkey given by its fingerprint
    ok(runCli(dir, ['link', 'run', '--step', 'sign-off', '--gpg', rsaSub, '--gpg-home', home.dir, '-m', 'foo.tgz', '--json']), 'link run --gpg (subkey)');
    const link = JSON.parse(readFileSync(path.join(dir, `sign-off.${rsaSub.toLowerCase().slice(0, 8)}.link`), 'utf8')) as { signatures: Record<string, string>[] };
    assert.deepEqual(Object.keys(link.signatures[0]!).sort(), ['keyid', 'other_headers', 'signature']);
    assert.equal(link.signatures[0]!['keyid'], rsaSub.toLowerCase());
    await sameVerdict(dir, null);
    const file = path.join(dir, `pack.${eddsa.toLowerCase().slice(0, 8)}.link`);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"tar"', '"rat"'));
    await sameVerdict(dir, 'ThresholdVerificationError');
  });

  it('link run --gpg with a key the keyring lacks, or a keyid that is not hex, fails before running the step', () => {
    const dir = copy('no-key');
    const env = { ...process.env, GNUPGHOME: home.dir };
    const missing = runCli(dir, ['link', 'run', '--step', 'write', '--gpg', 'DEADBEEFDEADBEEF', '--', 'touch', 'ran'], env);
    assert.equal(missing.status, 1, missing.stderr);
    assert.match(missing.stderr, /error\[E_KEY_INVALID\]: gpg has no secret key DEADBEEFDEADBEEF/);
    const bad = runCli(dir, ['link', 'run', '--step', 'write', '--gpg', '--homedir=/tmp', '--', 'touch', 'ran'], env);
    assert.equal(bad.status, 2, bad.stderr);
    const both = runCli(dir, ['link', 'run', '--step', 'write', '--gpg', dsa, '--key', 'k', '--', 'touch', 'ran'], env);
    assert.equal(both.status, 2, both.stderr);
    assert.equal(spawnSync('test', ['-e', path.join(dir, 'ran')]).status, 1, 'the step did not run');
  });

  it('an expired owner key fails both (KeyExpirationError, E_KEY_EXPIRED); an expired functionary key drops its link', async () => {
    // made in 2020 with a one-day expiry; gpg signs with it at that faked time
    const old = home.generate('Old Owner <old@owner.test>', 'rsa2048', { expire: '1d', fakedTime: '20200101T000000' });
    const dir = copy('expired-owner');
    const faked = { GNUPG: 'gpg --faked-system-time 20200101T120000' };
    ok(home.python(dir, 'in-toto-sign', ['-f', 'root.layout', '-g', old], faked), 'sign with the expired key');
    await sameVerdict(dir, 'KeyExpirationError', [old]);
    const mine = await ours(dir, [old]);
    assert.match(mine.error!.message, /expired at 2020-01-02/);

    const oldFunc = home.generate('Old Func <old@func.test>', 'ed25519', { expire: '1d', fakedTime: '20200101T000000' });
    const dir2 = copy('expired-functionary');
    const spec = JSON.parse(readFileSync(path.join(dir2, 'spec.json'), 'utf8')) as { steps: { keyids: string[] }[] };
    spec.steps[0]!.keyids = [oldFunc];
    writeFileSync(path.join(dir2, 'spec.json'), JSON.stringify(spec));
    ok(home.python(dir2, '/usr/bin/python3', [GPG_LAYOUT_PY, 'spec.json', 'root.layout']), 'layout');
    const layout = JSON.parse(readFileSync(path.join(dir2, 'root.layout'), 'utf8')) as { signed: { keys: Record<string, Record<string, unknown>> } };
    // securesystemslib reads no expiry of EdDSA keys (see the README): give the key an expiry as an RSA key would have
    const k = layout.signed.keys[oldFunc.toLowerCase()]!;
    assert.equal(k['validity_period'], undefined);
    k['validity_period'] = 86400;
    writeFileSync(path.join(dir2, 'root.layout'), JSON.stringify(layout));
    sign(dir2, owners);
    ok(home.python(dir2, 'in-toto-run', ['-n', 'write', '-g', oldFunc, '-p', 'foo.py', '--', 'sh', '-c', 'echo hi > foo.py'], faked), 'in-toto-run with the expired key');
    await sameVerdict(dir2, 'ThresholdVerificationError');
  });
});
