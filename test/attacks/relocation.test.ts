/**
 * Attacks on relocated images, through the CLI against small hostile registries
 * on 127.0.0.1: a registry that answers HEAD with the signed digest in Docker-Content-Digest and GET with other
 * bytes, for a relocated reference by tag and by digest. `relocation verify` and `verify --relocation-mapping`
 * share the check (adapters/oci/relocated-images.ts): each relocated manifest is fetched whole and hashed here.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertOneLineError, runCliAsync } from '../helpers/cli.js';
import { repoRoot } from '../helpers/fixtures.js';
import { imageManifest, sha256Digest, startLoopbackRegistry, type LoopbackRegistry, type ManifestAnswer } from '../helpers/loopback-registry.js';

const INSTALLER = imageManifest('installer');
const WEB = imageManifest('web');
const EVIL = imageManifest('evil');

/** The relocation fixture bundle with its two images pinned to INSTALLER and WEB. */
function writeBundle(dir: string): string {
  const bundle = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/relocation/bundle.json'), 'utf8'));
  bundle.invocationImages[0].contentDigest = sha256Digest(INSTALLER);
  bundle.images.web.contentDigest = sha256Digest(WEB);
  const file = path.join(dir, 'bundle.json');
  writeFileSync(file, JSON.stringify(bundle));
  return file;
}

/** installer relocated by digest, web by tag. */
function writeMapping(dir: string, host: string): string {
  const file = path.join(dir, 'mapping.json');
  writeFileSync(
    file,
    JSON.stringify({
      'example.com/org/installer:1.0.0': `${host}/mirror/installer@${sha256Digest(INSTALLER)}`,
      'nginx:1.25': `${host}/mirror/web:1.25`,
    }),
  );
  return file;
}

describe('attacks: relocation (hostile registries on 127.0.0.1)', function () {
  this.timeout(60_000);
  let dir: string;
  let registry: LoopbackRegistry | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cnab-trust-attack-relocation-'));
  });
  afterEach(async () => {
    await registry?.close();
    registry = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** A registry serving `bytes(repository)` under the signed digest and under the tag. */
  async function serve(answer: (repository: string, reference: string) => ManifestAnswer | undefined): Promise<{ bundle: string; mapping: string }> {
    registry = await startLoopbackRegistry(answer);
    return { bundle: writeBundle(dir), mapping: writeMapping(dir, registry.host) };
  }

  it('an honest relocation verifies, and the verdict says the manifests were fetched and hashed', async () => {
    const { bundle, mapping } = await serve((repo, ref) => {
      const body = repo === 'mirror/installer' ? INSTALLER : WEB;
      return ref === '1.25' || ref === sha256Digest(body) ? { body } : undefined;
    });
    const r = await runCliAsync(['relocation', 'verify', bundle, mapping]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /fetched whole \(GET: 1 by digest, 1 by tag\) and its bytes hashed here/);
    assert.match(r.stdout, /no registry digest header was trusted/);
    assert.ok(registry!.requests.every((q) => !q.startsWith('HEAD ')), `no HEAD is relied on: ${registry!.requests.join(', ')}`);
  });

  it('by tag: HEAD claims the signed digest, GET serves other bytes -> E_RELOCATED_DIGEST_MISMATCH', async () => {
    const { bundle, mapping } = await serve((repo, ref) => {
      if (repo === 'mirror/installer') return ref === sha256Digest(INSTALLER) ? { body: INSTALLER } : undefined;
      // the tag: the header names the signed digest, the bytes are another image (and GET sends no header)
      return ref === '1.25' ? { body: EVIL, claimedDigest: sha256Digest(WEB) } : undefined;
    });
    const r = await runCliAsync(['relocation', 'verify', bundle, mapping]);
    assertOneLineError(r, 'E_RELOCATED_DIGEST_MISMATCH', 1, 'component "web"', sha256Digest(EVIL));
  });

  it('by tag: GET without any digest header serves other bytes -> E_RELOCATED_DIGEST_MISMATCH', async () => {
    const { bundle, mapping } = await serve((repo, ref) => {
      if (repo === 'mirror/installer') return { body: INSTALLER };
      return ref === '1.25' ? { body: EVIL, claimedDigest: null } : undefined;
    });
    const r = await runCliAsync(['relocation', 'verify', bundle, mapping]);
    assertOneLineError(r, 'E_RELOCATED_DIGEST_MISMATCH', 1, sha256Digest(EVIL));
  });

  it('by digest: HEAD claims the signed digest, GET serves other bytes -> E_RELOCATED_DIGEST_MISMATCH', async () => {
    const { bundle, mapping } = await serve((repo, ref) => {
      if (repo === 'mirror/web') return ref === '1.25' ? { body: WEB } : undefined;
      // under the signed digest the registry serves other bytes, with a header that claims the signed digest
      return ref === sha256Digest(INSTALLER) ? { body: EVIL, claimedDigest: sha256Digest(INSTALLER) } : undefined;
    });
    const r = await runCliAsync(['relocation', 'verify', bundle, mapping]);
    assertOneLineError(r, 'E_RELOCATED_DIGEST_MISMATCH', 1, 'invocation image 0', sha256Digest(EVIL));
  });

  it('an endless manifest is not read past the bound: E_OCI_TOO_LARGE', async () => {
    const huge = Buffer.alloc(5 * 1024 * 1024, 0x20);
    const { bundle, mapping } = await serve((repo) => (repo === 'mirror/installer' ? { body: huge, claimedDigest: sha256Digest(INSTALLER) } : { body: WEB }));
    const r = await runCliAsync(['relocation', 'verify', bundle, mapping]);
    assertOneLineError(r, 'E_OCI_TOO_LARGE', 1);
  });
});
