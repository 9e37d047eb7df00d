/**
 * The whole story against two real registries (docker-registry) and our metadata server (`cnab-trust serve`):
 * init a TUF repository, push a bundle (fixup pins its images), record a two-step in-toto supply chain, sign the
 * bundle with its layout, keys and links, relocate it into the second registry, and verify the relocated copy with
 * its relocation mapping from a fresh cache. Then the tampering matrix, each case refused with its own code.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { push } from '../../../src/workflows/oci/push.js';
import { relocate } from '../../../src/workflows/oci/relocate.js';
import { initRepository } from '../../../src/workflows/tuf/init.js';
import { signBundle } from '../../../src/workflows/tuf/sign.js';
import { startRepositoryServer, type RunningServer } from '../../../src/adapters/http/repository-server.js';
import { verifyBundle, type VerifyBundleOptions } from '../../../src/workflows/verify/bundle.js';
import { exportBundle, importBundle } from '../../../src/compositions/airgap.js';
import { create as createTar, extract as extractTar, list as listTar } from 'tar';
import { canonicalBundle, parseBundle } from '../../../src/core/cnab/index.js';
import { seedImage, startRegistry, tempDir, writeImageLayout, type RunningRegistry, type TempDir, type TestImage } from '../../helpers/registry.js';
import { makeChain, type SignedChain } from '../../helpers/intoto-chain.js';
import { addRelease } from '../../helpers/release.js';
import { TufTestRepo, RELEASES } from '../../helpers/tuf-repo.js';
import { assertVerified } from '../../helpers/verify-report.js';
import { cliMain } from '../../helpers/paths.js';

const run = promisify(execFile);
const DAY = 24 * 3600 * 1000;

describe('end to end: init, push, sign with in-toto, relocate, verify (docker-registry x2, cnab-trust serve)', function () {
  this.timeout(180_000);
  let a: RunningRegistry;
  let b: RunningRegistry;
  let tmp: TempDir;
  let server: RunningServer;
  let gun: string;
  let ref: string;
  let relocated: string;
  let bundleBytes: Buffer;
  let chain: SignedChain;
  const images: Record<string, TestImage> = {};
  const f = (name: string): string => path.join(tmp.path, name);
  let cacheCount = 0;
  /** Verify options with a fresh trusted-metadata cache each time. */
  const options = (over: Partial<VerifyBundleOptions> = {}): VerifyBundleOptions => ({
    bundle: relocated,
    target: ref,
    trustedRootPath: f('metadata/1.root.json'),
    metadata: server.url,
    relocationMapping: f('relocation-mapping.json'),
    cacheDir: f(`cache-${++cacheCount}`),
    ...over,
  });

  before(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    tmp = await tempDir('cnab-trust-e2e-');
    gun = `${a.host}/org/app`;
    ref = `${gun}:1.0.0`;
    relocated = `${b.host}/mirror/app:1.0.0`;
    for (const name of ['installer', 'web', 'other']) {
      images[name] = await writeImageLayout(f('seed'), name, [{ [`${name}.txt`]: `${name} ${Math.random()}\n` }]);
      await seedImage(f('seed'), name, `${a.host}/src/${name}:1`);
    }
    const draft = {
      schemaVersion: 'v1.0.0',
      name: 'example-app',
      version: '1.0.0',
      description: 'end-to-end test bundle',
      invocationImages: [{ imageType: 'oci', image: `${a.host}/src/installer:1` }],
      images: { web: { imageType: 'oci', image: `${a.host}/src/web:1` } },
    };
    writeFileSync(f('bundle.json'), JSON.stringify(draft));
    // release engineer: repository (timestamp, snapshot, targets long-lived here so that only releases expires)
    await initRepository({
      gun,
      metadataDir: f('metadata'),
      keysDir: f('keys'),
      expiryDays: { timestamp: 60, snapshot: 60, targets: 60, [RELEASES]: 3 },
    });
    await push(f('bundle.json'), ref, { fixup: true });
    bundleBytes = canonicalBundle(parseBundle(readFileSync(f('bundle.json')))).bytes;
    // the supply chain that produced exactly these bytes
    chain = makeChain(bundleBytes, { steps: 2 });
    writeFileSync(f('root.layout'), chain.layout);
    writeFileSync(f('owner.pub'), chain.ownerKey.publicFile);
    mkdirSync(f('links'));
    for (const [name, bytes] of chain.links) writeFileSync(path.join(f('links'), name), bytes);
    await signBundle({
      input: f('bundle.json'),
      ref,
      metadataDir: f('metadata'),
      keysDir: f('keys'),
      layout: f('root.layout'),
      layoutKeys: [f('owner.pub')],
      links: f('links'),
    });
    server = await startRepositoryServer({ dir: f('metadata') });
    // operator: relocation into the private registry
    await relocate(ref, `${b.host}/mirror/app`, { output: f('relocation-mapping.json') });
  });
  after(async () => {
    await server?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await tmp?.cleanup();
  });

  it('the full story: the relocated copy verifies with its mapping, every stage passes, in-toto included', async () => {
    const report = await verifyBundle(options());
    assertVerified(report, []);
    assert.equal(report.target?.name, ref);
    assert.equal(report.digest, canonicalBundle(parseBundle(bundleBytes)).digest);
    const relocation = report.steps.find((s) => s.name === 'relocation')!;
    assert.equal(relocation.checks!.length, 3);
    assert.ok(relocation.checks!.slice(0, 2).every((c) => c.includes(b.host)));
    assert.match(relocation.checks![2]!, /fetched whole .* hashed here; no registry digest header was trusted/);
  });

  it('the original in the first registry verifies under its own reference (default target)', async () => {
    const report = await verifyBundle(options({ bundle: ref, target: undefined, relocationMapping: undefined }));
    assert.equal(report.verified, true, JSON.stringify(report.error));
    assert.equal(report.steps.find((s) => s.name === 'relocation')!.skipped, true);
  });

  it('cnab-trust verify (CLI) prints the JSON report and exits 0', async () => {
    const o = options();
    const { stdout } = await run(process.execPath, [
      cliMain,
      'verify',
      relocated,
      '--target',
      ref,
      '--relocation-mapping',
      f('relocation-mapping.json'),
      '--trusted-root',
      o.trustedRootPath!,
      '--metadata',
      server.url,
      '--cache',
      o.cacheDir!,
      '--json',
    ]);
    const report = JSON.parse(stdout);
    assert.equal(report.verified, true);
    assert.equal(report.target.signedBy, RELEASES);
  });

  describe('tampering matrix', () => {
    it('one byte of the bundle changed (pushed under a relocated tag): E_DIGEST_MISMATCH', async () => {
      const doc = JSON.parse(bundleBytes.toString());
      doc.description = doc.description.replace('end', 'END');
      writeFileSync(f('tampered-byte.json'), JSON.stringify(doc));
      await push(f('tampered-byte.json'), `${b.host}/tamper1/app:1.0.0`);
      const report = await verifyBundle(options({ bundle: `${b.host}/tamper1/app:1.0.0` }));
      assert.equal(report.error?.code, 'E_DIGEST_MISMATCH');
      assert.equal(report.steps.at(-1)!.name, 'bundle');
    });

    it('a different bundle pushed under the relocated tag: E_LENGTH_MISMATCH', async () => {
      const doc = JSON.parse(bundleBytes.toString());
      doc.name = 'another-application';
      doc.description = 'not the bundle that was signed';
      writeFileSync(f('tampered-other.json'), JSON.stringify(doc));
      await push(f('tampered-other.json'), `${b.host}/tamper2/app:1.0.0`);
      const report = await verifyBundle(options({ bundle: `${b.host}/tamper2/app:1.0.0` }));
      assert.equal(report.error?.code, 'E_LENGTH_MISMATCH');
    });

    it('the mapping points an image at other content: E_RELOCATED_DIGEST_MISMATCH', async () => {
      const mapping = JSON.parse(readFileSync(f('relocation-mapping.json'), 'utf8')) as Record<string, string>;
      const key = `${a.host}/src/web:1`;
      mapping[key] = `${a.host}/src/other@${images.other!.manifest.digest}`;
      writeFileSync(f('mapping-other.json'), JSON.stringify(mapping));
      const report = await verifyBundle(options({ relocationMapping: f('mapping-other.json') }));
      assert.equal(report.error?.code, 'E_RELOCATED_DIGEST_MISMATCH');
      assert.equal(report.error?.subject, key);
      assert.equal(report.steps.at(-1)!.name, 'relocation');
    });

    it('a relocated tag moved to other content (mapping by tag): E_RELOCATED_DIGEST_MISMATCH', async () => {
      await seedImage(f('seed'), 'other', `${b.host}/mirror/web:moved`);
      const mapping = JSON.parse(readFileSync(f('relocation-mapping.json'), 'utf8')) as Record<string, string>;
      mapping[`${a.host}/src/web:1`] = `${b.host}/mirror/web:moved`;
      writeFileSync(f('mapping-moved.json'), JSON.stringify(mapping));
      const report = await verifyBundle(options({ relocationMapping: f('mapping-moved.json') }));
      assert.equal(report.error?.code, 'E_RELOCATED_DIGEST_MISMATCH');
    });

    it('the mapping misses an image: E_RELOCATION_MISSING', async () => {
      const mapping = JSON.parse(readFileSync(f('relocation-mapping.json'), 'utf8')) as Record<string, string>;
      delete mapping[`${a.host}/src/installer:1`];
      writeFileSync(f('mapping-missing.json'), JSON.stringify(mapping));
      const report = await verifyBundle(options({ relocationMapping: f('mapping-missing.json') }));
      assert.equal(report.error?.code, 'E_RELOCATION_MISSING');
    });

    it('a link removed (the release lists one link less): E_INTOTO_LINK_NOT_FOUND', async () => {
      const [first] = [...chain.links.keys()];
      mkdirSync(f('links-partial'));
      for (const [name, bytes] of chain.links) if (name !== first) writeFileSync(path.join(f('links-partial'), name), bytes);
      await signBundle({ input: f('bundle.json'), ref: `${gun}:1.0.0-partial`, metadataDir: f('metadata'), keysDir: f('keys'), links: f('links-partial'), allowUnverified: true }); // sign alone would refuse it
      const report = await verifyBundle(options({ target: `${gun}:1.0.0-partial` }));
      assert.equal(report.error?.code, 'E_INTOTO_LINK_NOT_FOUND');
      assert.equal(report.steps.at(-1)!.name, 'in-toto');
    });

    it('expired targets/releases metadata (fixed clock, every other role still valid): E_TUF_EXPIRED naming it', async () => {
      const report = await verifyBundle(options({ now: () => new Date(Date.now() + 10 * DAY) }));
      assert.equal(report.error?.code, 'E_TUF_EXPIRED');
      assert.equal(report.error?.subject, RELEASES);
      assert.deepEqual(report.steps.map((s) => s.name), ['tuf']);
    });

    it('a layout key signed by targets/releases, not by targets: E_INTOTO_LAYOUT_KEY_UNTRUSTED', async () => {
      // a repository whose delegation to targets/releases also covers the key paths (so TUF itself trusts the
      // key) — CNAB-Sec 301 must not: only the top-level targets role vouches for layout keys
      const repo = new TufTestRepo(f('forged-metadata'), { gun });
      repo.releasesPaths.push(`${gun}/in-toto-pubkeys/*`);
      addRelease(repo, '1.0.0', bundleBytes, { chain, keyRole: RELEASES });
      repo.publish();
      const forged = await startRepositoryServer({ dir: repo.dir });
      try {
        const report = await verifyBundle(options({ trustedRootPath: undefined, trustedRoot: repo.trustedRoot(), metadata: forged.url }));
        assert.equal(report.error?.code, 'E_INTOTO_LAYOUT_KEY_UNTRUSTED');
        assert.equal(report.error?.subject, `${gun}/in-toto-pubkeys/${chain.ownerKey.publicKey.keyid}.pub`);
      } finally {
        await forged.close();
      }
    });
  });

  describe('airgap (CNAB 805): export, verify offline, import', () => {
    let archive: string;

    it('export verifies, then writes a thick bundle with the images, TUF metadata and in-toto files', async () => {
      archive = f('app-1.0.0.tgz');
      const report = await exportBundle(ref, { output: archive, trustedRootPath: f('metadata/1.root.json'), metadata: server.url });
      assert.equal(report.target, ref);
      assert.equal(report.verify.verified, true);
      assert.equal(report.intotoFiles, 5); // layout, its key, two links, the policy (signed by targets)
      const names: string[] = [];
      await listTar({ file: archive, onReadEntry: (e) => void names.push(e.path) });
      assert.ok(names.includes('bundle.json'));
      assert.ok(names.includes('artifacts/layout/index.json'));
      assert.ok(names.includes('artifacts/tuf/metadata/1.root.json'));
      assert.ok(names.includes('artifacts/tuf/metadata/timestamp.json'));
      assert.ok(names.some((n) => /^artifacts\/tuf\/metadata\/\d+\.targets\/releases\.json$/.test(n)));
      assert.ok(names.some((n) => n.endsWith('.root.layout')));
    });

    it('verify bundle.tgz --trusted-root root.json: offline, from the metadata it carries', async () => {
      const report = await verifyBundle({ bundle: archive, trustedRootPath: f('metadata/1.root.json'), cacheDir: f('cache-airgap') });
      assertVerified(report, ['relocation']);
      assert.equal(report.target?.name, ref);
      // the CLI, as an airgapped operator runs it
      const { stdout } = await run(process.execPath, [cliMain, 'verify', archive, '--trusted-root', f('metadata/1.root.json')]);
      assert.match(stdout, /^VERIFIED: /m);
    });

    it('a relocated image altered inside the archive is refused (E_OCI_DIGEST_MISMATCH naming the image)', async () => {
      const dir = f('unpacked');
      mkdirSync(dir);
      await extractTar({ file: archive, cwd: dir });
      const web = JSON.parse(readFileSync(f('bundle.json'), 'utf8')).images.web.contentDigest as string;
      writeFileSync(path.join(dir, 'artifacts/layout/blobs/sha256', web.slice(7)), '{"schemaVersion":2}');
      const tampered = f('tampered.tgz');
      await createTar({ file: tampered, cwd: dir, gzip: true }, ['bundle.json', 'artifacts']);
      const report = await verifyBundle({ bundle: tampered, trustedRootPath: f('metadata/1.root.json') });
      assert.equal(report.error?.code, 'E_OCI_DIGEST_MISMATCH');
      assert.equal(report.error?.subject, `${a.host}/src/web:1`);
    });

    it('import relocates into the second registry and writes the mapping; the imported copy verifies', async () => {
      const report = await importBundle(archive, `${b.host}/airgap/app`, { output: f('airgap-mapping.json') });
      assert.equal(report.target, ref);
      const mapping = JSON.parse(readFileSync(f('airgap-mapping.json'), 'utf8')) as Record<string, string>;
      assert.ok(Object.values(mapping).every((v) => v.startsWith(`${b.host}/airgap/app@sha256:`)));
      const verified = await verifyBundle(options({ bundle: `${b.host}/airgap/app:1.0.0`, relocationMapping: f('airgap-mapping.json') }));
      assertVerified(verified);
    });
  });
});
