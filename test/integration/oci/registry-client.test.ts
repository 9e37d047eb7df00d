/**
 * The registry client and the OCI layout adapter against real CNCF distribution 2.8 registries and skopeo.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { cliMain } from '../../helpers/paths.js';
import { readFile } from 'node:fs/promises';
import { CopySession } from '../../../src/adapters/oci/copy.js';
import { dockerConfigCredentials, staticCredentials } from '../../../src/adapters/oci/credentials.js';
import { LayoutStore } from '../../../src/adapters/oci/layout-store.js';
import { RegistryClient } from '../../../src/adapters/oci/registry-store.js';
import { readAll } from '../../../src/adapters/oci/verify-stream.js';
import { digestOf } from '../../../src/core/oci/digest.js';
import { isCnabTrustError } from '../../../src/core/errors.js';
import {
  seedImage,
  skopeo,
  startRegistry,
  startTokenServer,
  tempDir,
  writeDockerConfig,
  writeImageLayout,
  type RunningRegistry,
  type TempDir,
  type TestImage,
  type TokenServer,
} from '../../helpers/registry.js';

function runCli(args: string[], stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliMain, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isCnabTrustError(e), `expected a CnabTrustError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

describe('adapters/oci registry client and layout store (docker-registry, skopeo)', function () {
  this.timeout(120_000);
  let registry: RunningRegistry;
  let tmp: TempDir;
  let image: TestImage;
  const client = new RegistryClient({ retries: 1, backoffMs: 10 });

  before(async () => {
    registry = await startRegistry();
    tmp = await tempDir();
    image = await writeImageLayout(path.join(tmp.path, 'seed'), 'v1', [{ 'hello.txt': 'hello\n' }, { 'etc/app.conf': 'x=1\n' }]);
    await seedImage(path.join(tmp.path, 'seed'), 'v1', `${registry.host}/test/app:v1`);
  });
  after(async () => {
    await registry?.stop();
    await tmp?.cleanup();
  });

  it('resolves a tag (HEAD) to the digest skopeo pushed, and fetches the raw bytes re-hashed', async () => {
    const repo = client.repository(registry.host, 'test/app');
    await repo.ping();
    const d = await repo.resolve('v1');
    assert.equal(d?.digest, image.manifest.digest);
    assert.equal(d?.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    const m = await repo.fetchManifest(image.manifest.digest);
    assert.deepEqual(Buffer.from(m.bytes), image.manifestBytes);
    assert.equal(await repo.resolve('nope'), undefined);
  });

  it('streams blobs verified, uploads monolithic and chunked, mounts across repositories', async () => {
    const src = client.repository(registry.host, 'test/app');
    const layer = { mediaType: 'application/octet-stream', ...image.layers[0]! };
    const bytes = await readAll(await src.openBlob(layer), 1 << 20, 'layer');
    assert.equal(digestOf(bytes), layer.digest);

    const mounted = client.repository(registry.host, 'test/mounted');
    assert.equal(await mounted.hasBlob(layer), false);
    assert.equal(await mounted.mountBlob(layer, src), true);
    assert.equal(await mounted.hasBlob(layer), true);

    const payload = Buffer.alloc(300_000, 7);
    const desc = { mediaType: 'application/octet-stream', digest: digestOf(payload), size: payload.length };
    const mono = client.repository(registry.host, 'test/mono');
    await mono.pushBlob(desc, new Blob([payload]).stream() as ReadableStream<Uint8Array>);
    assert.equal(await mono.hasBlob(desc), true);
    const chunked = new RegistryClient({ chunkSize: 64 * 1024 }).repository(registry.host, 'test/chunked');
    await chunked.pushBlob(desc, payload);
    assert.deepEqual(Buffer.from(await chunked.fetchBlob(desc, 1 << 20)), payload);
  });

  it('refuses to upload bytes under a digest they do not have', async () => {
    const repo = client.repository(registry.host, 'test/wrong');
    const desc = { mediaType: 'application/octet-stream', digest: digestOf(Buffer.from('a')), size: 1 };
    await assert.rejects(repo.pushBlob(desc, Buffer.from('b')));
    assert.equal(await repo.hasBlob(desc), false);
  });

  it('pushes manifests by digest and by tag byte for byte (skopeo inspect --raw reads them back)', async () => {
    const src = client.repository(registry.host, 'test/app');
    const dst = client.repository(registry.host, 'test/copy');
    const session = new CopySession(src, dst);
    await session.copy(image.manifest, 'copied');
    assert.equal(session.stats.blobsMounted, 3);
    const raw = await skopeo(['inspect', '--raw', `docker://${registry.host}/test/copy:copied`]);
    assert.equal(raw, image.manifestBytes.toString());
    assert.equal((await dst.resolve('copied'))?.digest, image.manifest.digest);
  });

  it('copies registry -> OCI layout -> registry; skopeo reads the layout we wrote', async () => {
    const layout = new LayoutStore(path.join(tmp.path, 'layout'));
    const src = client.repository(registry.host, 'test/app');
    await new CopySession(src, layout).copy(image.manifest, 'v1');
    const index = JSON.parse(await readFile(path.join(tmp.path, 'layout', 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(index.manifests[0]?.digest, image.manifest.digest);
    assert.equal((await layout.resolve('v1'))?.digest, image.manifest.digest);
    await skopeo(['copy', '--preserve-digests', `oci:${path.join(tmp.path, 'layout')}:v1`, `docker://${registry.host}/test/from-layout:v1`]);
    assert.equal((await client.repository(registry.host, 'test/from-layout').resolve('v1'))?.digest, image.manifest.digest);
    // and back into a second layout with our tool
    const back = new LayoutStore(path.join(tmp.path, 'layout2'));
    await new CopySession(layout, back).copy(image.manifest, 'again');
    assert.deepEqual(Buffer.from((await back.fetchManifest('again')).bytes), image.manifestBytes);
  });

  it('a layout blob with other bytes than its digest is refused', async () => {
    const dir = path.join(tmp.path, 'tampered');
    const img = await writeImageLayout(dir, 't', [{ 'a.txt': 'a' }]);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'blobs', 'sha256', img.layers[0]!.digest.slice(7)), Buffer.alloc(img.layers[0]!.size, 1));
    const layout = new LayoutStore(dir);
    const dst = new LayoutStore(path.join(tmp.path, 'tampered-copy'));
    await rejectsWith(new CopySession(layout, dst).copy(img.manifest, 't'), 'E_OCI_DIGEST_MISMATCH');
    assert.equal(await dst.resolve('t').catch(() => undefined), undefined);
  });

  describe('Basic auth (htpasswd -B)', () => {
    let basic: RunningRegistry;
    before(async () => {
      basic = await startRegistry({ htpasswd: { username: 'alice', password: 's3cret' } });
    });
    after(async () => basic?.stop());

    it('without credentials: E_OCI_AUTH', async () => {
      const repo = new RegistryClient().repository(basic.host, 'x/y');
      await rejectsWith(repo.resolve('v1'), 'E_OCI_AUTH');
    });
    it('wrong credentials: E_OCI_AUTH', async () => {
      const repo = new RegistryClient({ credentials: staticCredentials({ username: 'alice', password: 'nope' }) }).repository(basic.host, 'x/y');
      await rejectsWith(repo.resolve('v1'), 'E_OCI_AUTH');
    });
    it('credentials from docker config.json: copy in and read back', async () => {
      const cfg = path.join(tmp.path, 'docker-config.json');
      await writeDockerConfig(cfg, basic.host, 'alice', 's3cret');
      const authed = new RegistryClient({ credentials: dockerConfigCredentials({ configPath: cfg }) });
      const dst = authed.repository(basic.host, 'x/y');
      await new CopySession(client.repository(registry.host, 'test/app'), dst).copy(image.manifest, 'v1');
      assert.equal((await dst.resolve('v1'))?.digest, image.manifest.digest);
      const raw = await skopeo(['inspect', '--raw', `docker://${basic.host}/x/y:v1`], { authfile: cfg });
      assert.equal(raw, image.manifestBytes.toString());
    });
    it('CLI push/pull with --username and --password-stdin (never argv); without them exit 3 E_OCI_AUTH', async () => {
      const bundle = path.join(tmp.path, 'auth-bundle.json');
      const { writeFile } = await import('node:fs/promises');
      await writeFile(bundle, JSON.stringify({ schemaVersion: 'v1.0.0', name: 'auth', version: '0.1.0', invocationImages: [{ image: `${registry.host}/test/app:v1` }] }));
      const pushed = await runCli(['push', bundle, `${basic.host}/x/bundle:1`, '--fixup', '--username', 'alice', '--password-stdin', '--json'], 's3cret\n');
      assert.equal(pushed.code, 0, pushed.stderr + pushed.stdout);
      const pulled = await runCli(['pull', `${basic.host}/x/bundle:1`, '-o', path.join(tmp.path, 'auth-pulled.json'), '--username', 'alice', '--password-stdin'], 's3cret\n');
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.deepEqual(await readFile(path.join(tmp.path, 'auth-pulled.json')), await readFile(bundle));
      const anonymous = await runCli(['pull', `${basic.host}/x/bundle:1`, '-o', path.join(tmp.path, 'anon.json'), '--docker-config', path.join(tmp.path, 'none.json')], '');
      assert.equal(anonymous.code, 3);
      assert.match(anonymous.stderr, /E_OCI_AUTH/);
      assert.ok(!pushed.stdout.includes('s3cret') && !pulled.stderr.includes('s3cret'));
    });
    it('credentials from a docker-credential helper (credHelpers)', async () => {
      const cfg = path.join(tmp.path, 'docker-config-helper.json');
      const { writeFile } = await import('node:fs/promises');
      await writeFile(cfg, JSON.stringify({ credHelpers: { [basic.host]: 'fake' } }));
      const asked: string[] = [];
      const lookup = dockerConfigCredentials({
        configPath: cfg,
        runHelper: async (helper, host) => {
          asked.push(`${helper} ${host}`);
          return { username: 'alice', password: 's3cret' };
        },
      });
      const repo = new RegistryClient({ credentials: lookup }).repository(basic.host, 'x/y');
      assert.equal((await repo.resolve('v1'))?.digest, image.manifest.digest);
      assert.deepEqual(asked, [`fake ${basic.host}`]);
    });
  });

  describe('Bearer token flow (distribution token auth)', () => {
    let tokens: TokenServer;
    let tokenRegistry: RunningRegistry;
    before(async () => {
      tokens = await startTokenServer({ username: 'bob', password: 'pw' });
      tokenRegistry = await startRegistry({ token: tokens });
    });
    after(async () => {
      await tokenRegistry?.stop();
      await tokens?.stop();
    });

    it('gets tokens per scope, caches them, and pushes and pulls', async () => {
      const authed = new RegistryClient({ credentials: staticCredentials({ username: 'bob', password: 'pw' }) });
      const dst = authed.repository(tokenRegistry.host, 'tok/app');
      await new CopySession(client.repository(registry.host, 'test/app'), dst).copy(image.manifest, 'v1');
      const before = tokens.requests.length;
      assert.equal((await dst.resolve('v1'))?.digest, image.manifest.digest);
      assert.equal((await dst.resolve('v1'))?.digest, image.manifest.digest);
      const pulled = tokens.requests.slice(before);
      assert.ok(pulled.length <= 1, `a cached token is reused (${pulled.length} token requests)`);
      assert.ok(tokens.requests.every((r) => r.authorized));
      assert.ok(tokens.requests.some((r) => r.scopes.includes('repository:tok/app:pull,push')));
    });
    it('without credentials the token server refuses: E_OCI_AUTH', async () => {
      const repo = new RegistryClient().repository(tokenRegistry.host, 'tok/app');
      await rejectsWith(repo.resolve('v1'), 'E_OCI_AUTH');
    });
  });
});
