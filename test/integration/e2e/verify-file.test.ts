/**
 * `verifyBundle` / `cnab-trust verify` on a local bundle.json against a TUF repository directory (CNAB-Sec 303):
 * the stages in order, the first failure ends the run, each tampering refused with its own code.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { TufTestRepo, RELEASES } from '../../helpers/tuf-repo.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { makeChain } from '../../helpers/intoto-chain.js';
import { addRelease } from '../../helpers/release.js';
import { assertVerified } from '../../helpers/verify-report.js';
import { cliMain, repoRoot } from '../../helpers/paths.js';
import { verifyBundle, type VerifyBundleOptions } from '../../../src/workflows/verify/bundle.js';
import { canonicalBundle, parseBundle } from '../../../src/core/cnab/index.js';
import { writeThickBundle } from '../../../src/adapters/archive/index.js';
import { initRepository } from '../../../src/workflows/tuf/init.js';
import { signBundle } from '../../../src/workflows/tuf/sign.js';
import { writeImageLayout } from '../../helpers/registry.js';

const run = promisify(execFile);
const DAY = 24 * 3600 * 1000;

describe('verify: a local bundle.json against a TUF repository directory (CNAB-Sec 303)', function () {
  let tmp: ReturnType<typeof makeTempDir>;
  const source = readFileSync(path.join(repoRoot, 'test/fixtures/relocation/bundle.json'));
  const canonical = canonicalBundle(parseBundle(source)).bytes;

  before(() => {
    tmp = makeTempDir('cnab-trust-e2e-');
  });
  after(() => tmp.remove());

  /** A fresh repository (in its own folder) with the release set up by `setup`; returns verify options. */
  function repository(label: string, setup: (repo: TufTestRepo) => void): { repo: TufTestRepo; options: (over?: Partial<VerifyBundleOptions>) => VerifyBundleOptions; bundleFile: string } {
    const dir = path.join(tmp.dir, label);
    const repo = new TufTestRepo(path.join(dir, 'metadata'));
    setup(repo);
    repo.publish();
    const bundleFile = path.join(dir, 'bundle.json');
    writeFileSync(bundleFile, canonical);
    writeFileSync(path.join(dir, 'root.json'), repo.trustedRoot());
    return {
      repo,
      bundleFile,
      options: (over = {}) => ({
        bundle: bundleFile,
        target: `${repo.gun}:1.0.0`,
        trustedRoot: repo.trustedRoot(),
        metadata: repo.dir,
        ...over,
      }),
    };
  }

  it('verifies a signed bundle without in-toto metadata (in-toto and relocation skipped)', async () => {
    const { options } = repository('plain', (repo) => addRelease(repo, '1.0.0', canonical));
    const report = await verifyBundle(options());
    assertVerified(report, ['relocation', 'in-toto']);
    assert.equal(report.target?.signedBy, RELEASES);
    assert.equal(report.digest, canonicalBundle(parseBundle(source)).digest);
  });

  it('verifies the two-step supply chain with the bundle as final product', async () => {
    const chain = makeChain(canonical, { steps: 2 });
    const { options } = repository('intoto', (repo) => addRelease(repo, '1.0.0', canonical, { chain }));
    const report = await verifyBundle(options());
    assert.equal(report.verified, true, JSON.stringify(report.error));
    const intoto = report.steps.find((s) => s.name === 'in-toto')!;
    assert.equal(intoto.skipped, undefined);
    assert.match(intoto.summary, /2 step\(s\)/);
    assert.ok(intoto.checks!.some((c) => /final product bundle\.json is the verified bundle/.test(c)));
  });

  it('runs an inspection on the final product, or skips it with inspections: false', async () => {
    const chain = makeChain(canonical, { steps: 2, inspection: ['test', '-f', 'bundle.json'] });
    const { options } = repository('inspect', (repo) => addRelease(repo, '1.0.0', canonical, { chain }));
    const ran = await verifyBundle(options());
    assert.equal(ran.verified, true, JSON.stringify(ran.error));
    assert.ok(ran.steps.at(-1)!.checks!.includes('inspection check-bundle ran and passed its rules'));
    const skipped = await verifyBundle(options({ inspections: false }));
    assert.equal(skipped.verified, true);
    assert.ok(skipped.steps.at(-1)!.checks!.includes('1 inspection(s) skipped (--no-inspections)'));
    assert.deepEqual(skipped.steps.at(-1)!.details, { inspections: 'skipped' });
  });

  it('refuses a failing inspection (E_INTOTO_INSPECTION)', async () => {
    const chain = makeChain(canonical, { steps: 2, inspection: ['test', '-f', 'missing.txt'] });
    const { options } = repository('inspect-fail', (repo) => addRelease(repo, '1.0.0', canonical, { chain }));
    const report = await verifyBundle(options());
    assert.equal(report.error?.code, 'E_INTOTO_INSPECTION');
  });

  it('writes the report to reportPath whatever the verdict; nothing on misuse; a file that cannot be written is an I/O error', async () => {
    const { options, bundleFile } = repository('report-file', (repo) => addRelease(repo, '1.0.0', canonical));
    const reportFile = path.join(path.dirname(bundleFile), 'report.json');
    const passed = await verifyBundle(options({ reportPath: reportFile }));
    assert.equal(passed.verified, true);
    assert.deepEqual(JSON.parse(readFileSync(reportFile, 'utf8')), JSON.parse(JSON.stringify(passed)));

    const bytes = Buffer.from(canonical);
    bytes[bytes.indexOf('1.0.0')] = '2'.charCodeAt(0);
    writeFileSync(bundleFile, bytes);
    const failed = await verifyBundle(options({ reportPath: reportFile }));
    assert.equal(failed.error?.code, 'E_DIGEST_MISMATCH');
    assert.deepEqual(JSON.parse(readFileSync(reportFile, 'utf8')), JSON.parse(JSON.stringify(failed)));

    rmSync(reportFile);
    await assert.rejects(verifyBundle(options({ reportPath: reportFile, map: 'map.json' })), { code: 'E_USAGE' });
    assert.equal(existsSync(reportFile), false);
    await assert.rejects(verifyBundle(options({ reportPath: path.join(path.dirname(bundleFile), 'no-such-dir', 'report.json') })), { code: 'E_FILE_NOT_FOUND' });
  });

  describe('tampering, each refused with its code and nothing after the failing stage', () => {
    it('one byte of the bundle changed: E_DIGEST_MISMATCH at the bundle stage', async () => {
      const { options, bundleFile } = repository('byte', (repo) => addRelease(repo, '1.0.0', canonical));
      const bytes = Buffer.from(canonical);
      bytes[bytes.indexOf('1.0.0')] = '2'.charCodeAt(0);
      writeFileSync(bundleFile, bytes);
      const report = await verifyBundle(options());
      assert.equal(report.verified, false);
      assert.equal(report.error?.code, 'E_DIGEST_MISMATCH');
      assert.deepEqual(report.steps.map((s) => [s.name, s.ok]), [['tuf', true], ['bundle', false]]);
      assert.equal(report.digest, null);
    });

    it('a byte appended: E_LENGTH_MISMATCH', async () => {
      const { options, bundleFile } = repository('length', (repo) => addRelease(repo, '1.0.0', canonical));
      writeFileSync(bundleFile, Buffer.concat([canonical, Buffer.from('\n')]));
      const report = await verifyBundle(options());
      assert.equal(report.error?.code, 'E_LENGTH_MISMATCH');
    });

    it('a pretty-printed copy of the signed bundle: refused, with a hint that its canonical form is the signed one', async () => {
      const { options, bundleFile } = repository('pretty', (repo) => addRelease(repo, '1.0.0', canonical));
      writeFileSync(bundleFile, source);
      const report = await verifyBundle(options());
      assert.equal(report.verified, false);
      assert.match(report.error!.code, /^E_(LENGTH|DIGEST)_MISMATCH$/);
      assert.match(report.error!.hint!, /canonicalize/);
    });

    it('a bundle with an unpinned image: E_IMAGE_UNPINNED at the images stage', async () => {
      const doc = JSON.parse(source.toString());
      delete doc.images.web.contentDigest;
      const unpinned = canonicalBundle(parseBundle(JSON.stringify(doc))).bytes;
      const { options, bundleFile } = repository('unpinned', (repo) => addRelease(repo, '1.0.0', unpinned));
      writeFileSync(bundleFile, unpinned);
      const report = await verifyBundle(options());
      assert.equal(report.error?.code, 'E_IMAGE_UNPINNED');
      assert.equal(report.steps.at(-1)!.name, 'images');
    });

    it('a layout key signed by targets/releases, not targets: E_INTOTO_LAYOUT_KEY_UNTRUSTED', async () => {
      const chain = makeChain(canonical);
      const { options } = repository('key-role', (repo) => {
        // a repository whose delegation also covers the key paths: TUF trusts the key, CNAB-Sec 301 must not
        repo.releasesPaths.push(`${repo.gun}/in-toto-pubkeys/*`);
        addRelease(repo, '1.0.0', canonical, { chain, keyRole: RELEASES });
      });
      const report = await verifyBundle(options());
      assert.equal(report.error?.code, 'E_INTOTO_LAYOUT_KEY_UNTRUSTED');
      assert.match(report.error!.message, /signed by targets\/releases/);
    });

    it('a root layout signed by targets/releases, not targets: E_INTOTO_LAYOUT_UNTRUSTED', async () => {
      const chain = makeChain(canonical);
      const { options } = repository('layout-role', (repo) => {
        repo.releasesPaths.push(`${repo.gun}/in-toto-metadata/*`);
        addRelease(repo, '1.0.0', canonical, { chain, layoutRole: RELEASES });
      });
      const report = await verifyBundle(options());
      assert.equal(report.error?.code, 'E_INTOTO_LAYOUT_UNTRUSTED');
    });

    it('a layout signed by another key than the one targets lists: E_INTOTO_LAYOUT_SIGNATURE', async () => {
      const chain = makeChain(canonical, { layoutSigner: makeChain(canonical).ownerKey });
      const { options } = repository('forged-layout', (repo) => addRelease(repo, '1.0.0', canonical, { chain }));
      const report = await verifyBundle(options());
      assert.equal(report.error?.code, 'E_INTOTO_LAYOUT_SIGNATURE');
    });

    it('a link removed: E_INTOTO_LINK_NOT_FOUND', async () => {
      const chain = makeChain(canonical);
      const first = [...chain.links.keys()][0]!;
      const { options } = repository('link-removed', (repo) => addRelease(repo, '1.0.0', canonical, { chain, dropLinks: [first] }));
      const report = await verifyBundle(options());
      assert.equal(report.error?.code, 'E_INTOTO_LINK_NOT_FOUND');
      assert.equal(report.steps.at(-1)!.name, 'in-toto');
    });

    it('a supply chain that produced another bundle: E_INTOTO_FINAL_PRODUCT', async () => {
      const chain = makeChain(Buffer.from('{"other":"bundle"}'));
      const { options } = repository('other-product', (repo) => addRelease(repo, '1.0.0', canonical, { chain }));
      const report = await verifyBundle(options());
      assert.equal(report.error?.code, 'E_INTOTO_FINAL_PRODUCT');
    });

    it('expired targets/releases metadata (fixed clock): E_TUF_EXPIRED naming the role', async () => {
      const { options } = repository('expired', (repo) => {
        // every other role is fresh in 10 days (timestamp and snapshot are renewed daily in real life); releases is not
        const later = new Date(Date.now() + 100 * DAY);
        for (const role of ['root', 'targets', 'snapshot', 'timestamp'] as const) repo.expires[role] = later;
        repo.expires[RELEASES] = new Date(Date.now() + 5 * DAY);
        addRelease(repo, '1.0.0', canonical);
      });
      assert.equal((await verifyBundle(options())).verified, true);
      const report = await verifyBundle(options({ now: () => new Date(Date.now() + 10 * DAY) }));
      assert.equal(report.error?.code, 'E_TUF_EXPIRED');
      assert.equal(report.error?.subject, RELEASES);
      assert.deepEqual(report.steps.map((s) => [s.name, s.ok]), [['tuf', false]]);
    });

    it('a tag that was never signed: E_TUF_TARGET_NOT_FOUND', async () => {
      const { options } = repository('unsigned', (repo) => addRelease(repo, '1.0.0', canonical));
      const report = await verifyBundle(options({ target: 'example.com/example-org/example-bundle:9.9.9' }));
      assert.equal(report.error?.code, 'E_TUF_TARGET_NOT_FOUND');
    });
  });

  describe('a thick bundle signed as an archive (cnab-trust sign bundle.tgz)', () => {
    let dir: string;
    let archive: string;
    let metadata: string;
    const ref = 'example.com/example-org/example-bundle:2.0.0';

    before(async () => {
      dir = path.join(tmp.dir, 'thick');
      const layout = path.join(dir, 'layout');
      const image = await writeImageLayout(layout, 'installer', [{ 'install.sh': 'echo hi\n' }]);
      const bundle = canonicalBundle(
        parseBundle(
          JSON.stringify({
            schemaVersion: 'v1.0.0',
            name: 'thick',
            version: '2.0.0',
            invocationImages: [{ imageType: 'oci', image: 'example.com/org/installer:1', contentDigest: image.manifest.digest }],
          }),
        ),
      ).bytes;
      archive = path.join(dir, 'bundle.tgz');
      await writeThickBundle(archive, { bundleBytes: bundle, layoutDir: layout });
      metadata = path.join(dir, 'metadata');
      await initRepository({ gun: 'example.com/example-org/example-bundle', metadataDir: metadata, keysDir: path.join(dir, 'keys') });
      await signBundle({ input: archive, ref, metadataDir: metadata, keysDir: path.join(dir, 'keys') });
    });

    it('verifies by the archive digest, its images by contentDigest in its layout', async () => {
      const report = await verifyBundle({ bundle: archive, target: ref, metadata, trustedRootPath: path.join(metadata, '1.root.json') });
      assertVerified(report, ['relocation', 'in-toto']);
      assert.ok(report.steps[1]!.checks!.some((c) => c.includes('is the signed artifact (a thick bundle)')));
      assert.ok(report.steps[2]!.checks!.some((c) => c.includes("present in the archive's layout")));
    });

    it('refuses another archive under the same target (E_LENGTH_MISMATCH / E_DIGEST_MISMATCH) and a broken one', async () => {
      const other = path.join(dir, 'other.tgz');
      await writeThickBundle(other, { bundleBytes: Buffer.from(canonical) });
      const report = await verifyBundle({ bundle: other, target: ref, metadata, trustedRootPath: path.join(metadata, '1.root.json') });
      assert.match(report.error!.code, /^E_(LENGTH|DIGEST)_MISMATCH$/);
      const broken = path.join(dir, 'broken.tgz');
      writeFileSync(broken, readFileSync(archive).subarray(0, 40));
      const refused = await verifyBundle({ bundle: broken, target: ref, metadata, trustedRootPath: path.join(metadata, '1.root.json') });
      assert.equal(refused.error?.code, 'E_ARCHIVE_INVALID');
      assert.deepEqual(refused.steps.map((s) => [s.name, s.ok]), [['bundle', false]]);
    });
  });

  describe('TAP 4 (--map): the target resolved across two repositories with different roots', () => {
    function twoRepositories(label: string, bBytes: Buffer): { map: string; roots: string; bundleFile: string; gun: string } {
      const dir = path.join(tmp.dir, label);
      const chain = makeChain(canonical);
      const a = new TufTestRepo(path.join(dir, 'a'));
      const b = new TufTestRepo(path.join(dir, 'b'));
      addRelease(a, '1.0.0', canonical, { chain });
      addRelease(b, '1.0.0', bBytes);
      a.publish();
      b.publish();
      mkdirSync(path.join(dir, 'roots'));
      writeFileSync(path.join(dir, 'roots/A.root.json'), a.trustedRoot());
      writeFileSync(path.join(dir, 'roots/B.root.json'), b.trustedRoot());
      const map = path.join(dir, 'map.json');
      writeFileSync(map, JSON.stringify({ repositories: { A: [a.dir], B: [b.dir] }, mapping: [{ paths: ['*'], repositories: ['A', 'B'], threshold: 2, terminating: true }] }));
      const bundleFile = path.join(dir, 'bundle.json');
      writeFileSync(bundleFile, canonical);
      return { map, roots: path.join(dir, 'roots'), bundleFile, gun: a.gun };
    }

    it('verifies when both repositories sign the same length and hashes (in-toto from the first)', async () => {
      const r = twoRepositories('tap4-agree', canonical);
      const report = await verifyBundle({ bundle: r.bundleFile, target: `${r.gun}:1.0.0`, map: r.map, trustedRootsDir: r.roots });
      assertVerified(report, ['relocation']);
      assert.match(report.steps[0]!.checks![0]!, /TAP 4 map .*: repositories A, B sign the same length and hashes/);
    });

    it('refuses when they disagree: E_TUF_CONSENSUS at the tuf stage', async () => {
      const r = twoRepositories('tap4-disagree', Buffer.from('{"other":"bytes"}'));
      const report = await verifyBundle({ bundle: r.bundleFile, target: `${r.gun}:1.0.0`, map: r.map, trustedRootsDir: r.roots });
      assert.equal(report.error?.code, 'E_TUF_CONSENSUS');
      assert.deepEqual(report.steps.map((s) => s.name), ['tuf']);
    });
  });

  it('an unreachable metadata server: not verified, E_TUF_FETCH, exit 3 from the CLI', async () => {
    const { bundleFile, repo } = repository('unreachable', (r) => addRelease(r, '1.0.0', canonical));
    const root = path.join(path.dirname(bundleFile), 'root.json');
    const args = ['verify', bundleFile, '--target', `${repo.gun}:1.0.0`, '--trusted-root', root, '--metadata', 'http://127.0.0.1:9/'];
    const e = await run(process.execPath, [cliMain, ...args, '--json']).then(
      () => assert.fail('must fail'),
      (err: { code: number; stdout: string }) => err,
    );
    assert.equal(e.code, 3);
    const report = JSON.parse(e.stdout);
    assert.equal(report.verified, false);
    assert.equal(report.error.code, 'E_TUF_FETCH');
  });

  describe('cnab-trust verify (CLI)', () => {
    it('exits 0 with the human report, 1 with the JSON report of a failure', async () => {
      const chain = makeChain(canonical);
      const { options, bundleFile, repo } = repository('cli', (r) => addRelease(r, '1.0.0', canonical, { chain }));
      const o = options();
      const root = path.join(path.dirname(bundleFile), 'root.json');
      const args = ['verify', bundleFile, '--target', o.target!, '--trusted-root', root, '--metadata', repo.dir];
      const ok = await run(process.execPath, [cliMain, ...args]);
      assert.match(ok.stdout, /ok {3}tuf/);
      assert.match(ok.stdout, /ok {3}in-toto/);
      assert.match(ok.stdout, /^VERIFIED: /m);

      const bytes = Buffer.from(canonical);
      bytes[10] ^= 1;
      writeFileSync(bundleFile, bytes);
      const reportFile = path.join(path.dirname(bundleFile), 'report.json');
      const failed = await run(process.execPath, [cliMain, ...args, '--json', '--report', reportFile]).then(
        () => assert.fail('verify must fail'),
        (e: { code: number; stdout: string }) => e,
      );
      assert.equal(failed.code, 1);
      const report = JSON.parse(failed.stdout);
      assert.equal(report.verified, false);
      assert.equal(report.error.code, 'E_DIGEST_MISMATCH');
      assert.equal(report.error.subject, o.target);
      assert.deepEqual(JSON.parse(readFileSync(reportFile, 'utf8')), report);

      const human = await run(process.execPath, [cliMain, ...args]).then(
        () => assert.fail('verify must fail'),
        (e: { code: number; stdout: string }) => e,
      );
      assert.equal(human.code, 1);
      assert.match(human.stdout, /FAIL bundle/);
      assert.match(human.stdout, /reason: {2}\[E_DIGEST_MISMATCH\]/);
      assert.match(human.stdout, /subject: /);
      assert.match(human.stdout, /hint: /);
      assert.match(human.stdout, /^NOT VERIFIED/m);
    });

    it('exits 2 when a local file has no --target', async () => {
      const { bundleFile, repo } = repository('cli-usage', (r) => addRelease(r, '1.0.0', canonical));
      const root = path.join(path.dirname(bundleFile), 'root.json');
      const e = await run(process.execPath, [cliMain, 'verify', bundleFile, '--trusted-root', root, '--metadata', repo.dir]).then(
        () => assert.fail('must fail'),
        (err: { code: number; stderr: string }) => err,
      );
      assert.equal(e.code, 2);
      assert.match(e.stderr, /--target/);
    });
  });
});
