/**
 * Stalled and trickling servers (issue 11 item 3): every network read has an idle timeout and an overall deadline
 * (`--idle-timeout`, `--deadline`): a registry manifest that sends its headers and then nothing, one that sends a
 * byte every 100 ms forever, a token server that stalls, a TUF repository whose timestamp.json stalls. Each ends
 * with E_NETWORK_TIMEOUT (exit 3) instead of waiting forever. The bounds are set low here; no assertion is on time.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertOneLineError, runCliAsync } from '../helpers/cli.js';
import { repoRoot } from '../helpers/fixtures.js';
import { imageManifest, sha256Digest, startLoopbackRegistry, type LoopbackRegistry, type ManifestAnswer, type LoopbackRegistryOptions } from '../helpers/loopback-registry.js';
import { TufTestRepo } from '../helpers/tuf-repo.js';

const WEB = imageManifest('web');
const INSTALLER = imageManifest('installer');

describe('attacks: stalled and trickling servers', function () {
  this.timeout(60_000);
  let dir: string;
  let registry: LoopbackRegistry | undefined;
  let server: http.Server | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cnab-trust-attack-stall-'));
  });
  afterEach(async () => {
    await registry?.close();
    registry = undefined;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise((r) => server!.close(r));
      server = undefined;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** The relocation fixture bundle and a mapping relocating both its images by tag into `registry`. */
  async function relocation(answer: (repo: string) => ManifestAnswer, options: LoopbackRegistryOptions = {}): Promise<string[]> {
    registry = await startLoopbackRegistry((repo) => answer(repo), options);
    const bundle = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/relocation/bundle.json'), 'utf8'));
    bundle.invocationImages[0].contentDigest = sha256Digest(INSTALLER);
    bundle.images.web.contentDigest = sha256Digest(WEB);
    writeFileSync(path.join(dir, 'bundle.json'), JSON.stringify(bundle));
    writeFileSync(
      path.join(dir, 'mapping.json'),
      JSON.stringify({ 'example.com/org/installer:1.0.0': `${registry.host}/mirror/installer:1.0.0`, 'nginx:1.25': `${registry.host}/mirror/web:1.25` }),
    );
    return ['relocation', 'verify', path.join(dir, 'bundle.json'), path.join(dir, 'mapping.json')];
  }

  it('a manifest whose headers come and then nothing: E_NETWORK_TIMEOUT after the idle timeout', async () => {
    const args = await relocation((repo) => (repo === 'mirror/web' ? { body: WEB, stall: true } : { body: INSTALLER }));
    const r = await runCliAsync([...args, '--idle-timeout', '1']);
    assertOneLineError(r, 'E_NETWORK_TIMEOUT', 3, 'no data for 1000 ms');
  });

  it('a manifest trickled one byte every 100 ms: E_NETWORK_TIMEOUT at the deadline', async () => {
    const args = await relocation((repo) => (repo === 'mirror/web' ? { body: Buffer.alloc(1 << 20, 0x20), trickle: true } : { body: INSTALLER }));
    const r = await runCliAsync([...args, '--idle-timeout', '30', '--deadline', '1']);
    assertOneLineError(r, 'E_NETWORK_TIMEOUT', 3, 'not done after 1000 ms');
  });

  it('a token server that stalls: E_NETWORK_TIMEOUT', async () => {
    const args = await relocation((repo) => ({ body: repo === 'mirror/web' ? WEB : INSTALLER }), { stalledTokenServer: true });
    const r = await runCliAsync([...args, '--idle-timeout', '1']);
    assertOneLineError(r, 'E_NETWORK_TIMEOUT', 3, 'token for');
  });

  it('TUF metadata: a timestamp.json that stalls: E_NETWORK_TIMEOUT from tuf get and verify', async () => {
    const repo = new TufTestRepo(path.join(dir, 'repo'));
    repo.addTarget(`${repo.gun}:1.0.0`, Buffer.from('{}'));
    repo.publish();
    writeFileSync(path.join(dir, 'root.json'), repo.trustedRoot());
    writeFileSync(path.join(dir, 'bundle.json'), '{}');
    server = http.createServer((req, res) => {
      const file = path.join(repo.dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      if (file.endsWith('timestamp.json')) {
        res.writeHead(200, { 'content-type': 'application/json' }).flushHeaders();
        return;
      }
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200).end(bytes);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const common = ['--trusted-root', path.join(dir, 'root.json'), '--metadata', url, '--idle-timeout', '1', '--no-cache'];
    assertOneLineError(await runCliAsync(['tuf', 'get', `${repo.gun}:1.0.0`, ...common]), 'E_NETWORK_TIMEOUT', 3, 'timestamp.json');
    const v = await runCliAsync(['verify', path.join(dir, 'bundle.json'), '--target', `${repo.gun}:1.0.0`, ...common, '--json']);
    assert.equal(v.status, 3, v.stderr);
    assert.equal(JSON.parse(v.stdout).error.code, 'E_NETWORK_TIMEOUT');
  });
});
