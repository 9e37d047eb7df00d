/** `cnab-trust serve` answers like a static server over a repository directory, read-only, inside the directory. */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { startRepositoryServer, type RunningServer } from '../../../src/adapters/http/repository-server.js';

/** A raw request (fetch would normalize `..` away before sending). */
function request(url: string, rawPath: string, method = 'GET'): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path: rawPath, method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(res.headers['content-type'] ? { type: res.headers['content-type'] } : {}) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve: read-only HTTP over a repository directory', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let server: RunningServer;

  before(async () => {
    tmp = makeTempDir();
    const dir = path.join(tmp.dir, 'metadata');
    mkdirSync(path.join(dir, '2.targets'), { recursive: true });
    writeFileSync(path.join(dir, 'timestamp.json'), '{"t":1}');
    writeFileSync(path.join(dir, '2.targets', 'releases.json'), '{"r":2}');
    writeFileSync(path.join(tmp.dir, 'secret.txt'), 'secret');
    mkdirSync(path.join(dir, '.cnab-trust'));
    writeFileSync(path.join(dir, '.cnab-trust', 'config.json'), '{}');
    symlinkSync(path.join(tmp.dir, 'secret.txt'), path.join(dir, 'link.txt'));
    server = await startRepositoryServer({ dir });
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  it('listens on loopback and serves files, %2F decoded to nested files', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(await request(server.url, '/timestamp.json'), { status: 200, body: '{"t":1}', type: 'application/json' });
    assert.equal((await request(server.url, '/2.targets%2Freleases.json')).body, '{"r":2}');
    assert.equal((await request(server.url, '/2.targets/releases.json')).body, '{"r":2}');
    assert.equal((await request(server.url, '/timestamp.json?x=1')).status, 200);
  });

  it('answers 404 for missing files and directories', async () => {
    assert.equal((await request(server.url, '/3.root.json')).status, 404);
    assert.equal((await request(server.url, '/2.targets')).status, 404);
    // the writer's private state is not part of the repository (metadata/README.md)
    assert.equal((await request(server.url, '/.cnab-trust/config.json')).status, 404);
  });

  it('refuses traversal and links leading out of the directory', async () => {
    for (const p of ['/../secret.txt', '/%2E%2E/secret.txt', '/2.targets%2F..%2F..%2Fsecret.txt', '/link.txt']) {
      const r = await request(server.url, p);
      assert.equal(r.status, 403, p);
      assert.ok(!r.body.includes('secret'), p);
    }
  });

  it('is read-only: only GET and HEAD', async () => {
    assert.equal((await request(server.url, '/timestamp.json', 'PUT')).status, 405);
    assert.equal((await request(server.url, '/timestamp.json', 'DELETE')).status, 405);
    const head = await request(server.url, '/timestamp.json', 'HEAD');
    assert.deepEqual([head.status, head.body], [200, '']);
  });
});
