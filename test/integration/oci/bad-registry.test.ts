/**
 * The registry client against a tiny misbehaving registry on 127.0.0.1: wrong bytes for a digest, manifests over
 * the size bound, 401 without a usable challenge, 5xx that clear up, redirects to another origin.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient } from '../../../src/adapters/oci/registry-store.js';
import { staticCredentials } from '../../../src/adapters/oci/credentials.js';
import { readAll } from '../../../src/adapters/oci/verify-stream.js';
import { digestOf } from '../../../src/core/oci/digest.js';
import { isCnabTrustError } from '../../../src/core/errors.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function serve(handler: Handler): Promise<{ host: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { host: `127.0.0.1:${port}`, close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }) };
}

async function rejectsWith2(p: Promise<unknown>, code: string): Promise<Error> {
  let caught: Error | undefined;
  await rejectsWith(
    p.catch((e: Error) => {
      caught = e;
      throw e;
    }),
    code,
  );
  return caught!;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isCnabTrustError(e), `expected a CnabTrustError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

const MANIFEST = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:' + 'b'.repeat(64) + '","size":2},"layers":[]}');
const OTHER = Buffer.from(MANIFEST.toString().replace('"size":2', '"size":3'));

describe('adapters/oci registry client against a misbehaving registry', () => {
  const client = new RegistryClient({ retries: 2, backoffMs: 1 });

  it('a manifest whose bytes differ from the digest asked for: E_OCI_DIGEST_MISMATCH', async () => {
    const s = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': digestOf(MANIFEST) });
      res.end(req.method === 'HEAD' ? undefined : OTHER);
    });
    try {
      await rejectsWith(client.repository(s.host, 'a/b').fetchManifest(digestOf(MANIFEST)), 'E_OCI_DIGEST_MISMATCH');
      // by tag, the bytes must still match the digest the registry claims
      await rejectsWith(client.repository(s.host, 'a/b').fetchManifest('v1'), 'E_OCI_DIGEST_MISMATCH');
    } finally {
      await s.close();
    }
  });

  it('a manifest PUT answered DIGEST_INVALID (distribution racing on a child blob link) is retried; a lasting one fails', async () => {
    let refusals = 2;
    let puts = 0;
    const s = await serve((req, res) => {
      req.resume();
      req.on('end', () => {
        puts++;
        if (refusals-- > 0) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' }] }));
          return;
        }
        res.writeHead(201, { 'docker-content-digest': digestOf(MANIFEST) });
        res.end();
      });
    });
    try {
      const repo = client.repository(s.host, 'a/b');
      const desc = await repo.pushManifest(MANIFEST, 'application/vnd.oci.image.manifest.v1+json', digestOf(MANIFEST));
      assert.equal(desc.digest, digestOf(MANIFEST));
      assert.equal(puts, 3, 'two refusals, then stored');
      refusals = 100;
      await rejectsWith(repo.pushManifest(MANIFEST, 'application/vnd.oci.image.manifest.v1+json', digestOf(MANIFEST)), 'E_OCI_PROTOCOL');
    } finally {
      await s.close();
    }
  });

  it("a registry's error text reaches our message bounded and without control characters", async () => {
    let huge = false;
    const s = await serve((req, res) => {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/json' });
      if (huge) {
        // an endless error body: we read 4 KiB of it, then hang up
        res.write('{"errors":[{"code":"X","message":"');
        const chunk = 'a'.repeat(64 * 1024);
        let n = 0;
        const more = (): void => {
          while (n++ < 200 && res.write(chunk));
          if (n < 200) res.once('drain', more);
          else res.end('"}]}');
        };
        more();
        return;
      }
      res.end(JSON.stringify({ errors: [{ code: 'NAME\u001b[31m_INVALID', message: 'bad\r\nforged: line\u0007' }] }));
    });
    try {
      const repo = client.repository(s.host, 'a/b');
      const e = await rejectsWith2(repo.pushManifest(MANIFEST, 'application/vnd.oci.image.manifest.v1+json', 'v1'), 'E_OCI_PROTOCOL');
      assert.match(e.message, /: NAME31m_INVALID bad  forged: line$/);
      assert.doesNotMatch(e.message, /[\u0000-\u001f]/);
      huge = true;
      const e2 = await rejectsWith2(repo.pushManifest(MANIFEST, 'application/vnd.oci.image.manifest.v1+json', 'v1'), 'E_OCI_PROTOCOL');
      assert.ok(e2.message.length < 1000, 'a 12 MiB error body is not copied into the message');
    } finally {
      await s.close();
    }
  });

  it('a blob whose bytes differ from its digest fails at the end of the stream', async () => {
    const good = Buffer.alloc(100_000, 1);
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(good.length) });
      res.end(Buffer.alloc(good.length, 2));
    });
    try {
      const desc = { mediaType: 'application/octet-stream', digest: digestOf(good), size: good.length };
      const repo = client.repository(s.host, 'a/b');
      await rejectsWith(readAll(await repo.openBlob(desc), 1 << 20, 'blob'), 'E_OCI_DIGEST_MISMATCH');
    } finally {
      await s.close();
    }
  });

  it('a manifest over the size bound: E_OCI_TOO_LARGE, with or without Content-Length', async () => {
    const big = Buffer.alloc(64 * 1024, 32);
    let chunked = false;
    const s = await serve((_req, res) => {
      const headers: Record<string, string> = { 'content-type': 'application/vnd.oci.image.manifest.v1+json' };
      if (!chunked) headers['content-length'] = String(big.length);
      res.writeHead(200, headers);
      res.end(big);
    });
    try {
      await rejectsWith(client.repository(s.host, 'a/b').fetchManifest('v1', 1024), 'E_OCI_TOO_LARGE');
      chunked = true;
      await rejectsWith(client.repository(s.host, 'a/b').fetchManifest('v1', 1024), 'E_OCI_TOO_LARGE');
    } finally {
      await s.close();
    }
  });

  it('401 without a usable challenge: E_OCI_AUTH', async () => {
    let header: string | undefined;
    const s = await serve((_req, res) => {
      res.writeHead(401, header === undefined ? {} : { 'www-authenticate': header });
      res.end();
    });
    try {
      const creds = staticCredentials({ username: 'u', password: 'p' });
      await rejectsWith(new RegistryClient({ credentials: creds }).repository(s.host, 'a/b').resolve('v1'), 'E_OCI_AUTH');
      header = 'Negotiate abc';
      await rejectsWith(new RegistryClient({ credentials: creds }).repository(s.host, 'a/b').resolve('v1'), 'E_OCI_AUTH');
      header = 'Bearer service="x"';
      await rejectsWith(new RegistryClient({ credentials: creds }).repository(s.host, 'a/b').resolve('v1'), 'E_OCI_AUTH');
    } finally {
      await s.close();
    }
  });

  it('retries 503 and 429 with backoff, then succeeds', async () => {
    let calls = 0;
    const s = await serve((_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(503);
        res.end();
        return;
      }
      if (calls === 2) {
        res.writeHead(429, { 'retry-after': '0' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': digestOf(MANIFEST) });
      res.end(MANIFEST);
    });
    try {
      const m = await client.repository(s.host, 'a/b').fetchManifest(digestOf(MANIFEST));
      assert.deepEqual(Buffer.from(m.bytes), MANIFEST);
      assert.equal(calls, 3);
    } finally {
      await s.close();
    }
  });

  it('gives up after the retries: E_OCI_PROTOCOL', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    try {
      await rejectsWith(client.repository(s.host, 'a/b').fetchManifest('v1'), 'E_OCI_PROTOCOL');
    } finally {
      await s.close();
    }
  });

  it('a redirect to another origin never carries the credentials', async () => {
    const blob = Buffer.from('redirected blob');
    const seen: (string | undefined)[] = [];
    const storage = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-length': String(blob.length) });
      res.end(blob);
    });
    const reg = await serve((req, res) => {
      if (req.headers.authorization === undefined) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
        res.end();
        return;
      }
      res.writeHead(307, { location: `http://${storage.host}/storage/blob?sig=1` });
      res.end();
    });
    try {
      const repo = new RegistryClient({ credentials: staticCredentials({ username: 'u', password: 'p' }) }).repository(reg.host, 'a/b');
      const desc = { mediaType: 'application/octet-stream', digest: digestOf(blob), size: blob.length };
      const got = await readAll(await repo.openBlob(desc), 1 << 20, 'blob');
      assert.deepEqual(Buffer.from(got), blob);
      assert.deepEqual(seen, [undefined]);
    } finally {
      await reg.close();
      await storage.close();
    }
  });

  it('an unreachable registry: E_OCI_UNREACHABLE', async () => {
    const s = await serve((_req, res) => res.end());
    const host = s.host;
    await s.close();
    await rejectsWith(new RegistryClient({ retries: 0 }).repository(host, 'a/b').resolve('v1'), 'E_OCI_UNREACHABLE');
  });
});
