/**
 * A tiny scriptable registry on 127.0.0.1 for attack tests: it answers the distribution API's manifest HEAD and GET
 * from what the test gives it, and lets the test lie (a HEAD digest header that the GET bytes do not match, bytes
 * under a digest that are not that digest) or stall (headers, then nothing). Real registries never do these things;
 * a hostile one may.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A small, valid OCI image manifest; `salt` makes distinct ones. */
export function imageManifest(salt: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Digest(Buffer.from(salt)), size: salt.length },
      layers: [],
    }),
  );
}

export interface ManifestAnswer {
  /** The bytes a GET serves. */
  body: Buffer;
  /** The Docker-Content-Digest header sent with HEAD and GET (default: the digest of `body`); `null`: none. */
  claimedDigest?: string | null;
  /** Send the headers, then nothing more (a stalled registry). */
  stall?: boolean;
  /** Send the headers, then one byte every 100 ms, forever (a trickling registry). */
  trickle?: boolean;
}

export interface LoopbackRegistryOptions {
  /** Ask for a Bearer token (401) and have the token server, on this same server, stall after its headers. */
  stalledTokenServer?: boolean;
}

export interface LoopbackRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  /** Requests received, as `METHOD path`. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serve `/v2/<repository>/manifests/<reference>` from `answer(repository, reference)` (undefined: 404) and
 * `GET /v2/` as a registry without authentication.
 */
export async function startLoopbackRegistry(
  answer: (repository: string, reference: string) => ManifestAnswer | undefined,
  options: LoopbackRegistryOptions = {},
): Promise<LoopbackRegistry> {
  const requests: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    const url = new URL(req.url ?? '/', 'http://x');
    if (options.stalledTokenServer === true) {
      if (url.pathname === '/token') {
        res.writeHead(200, { 'content-type': 'application/json' }).flushHeaders();
        return;
      }
      if (req.headers.authorization === undefined) {
        const realm = `http://${req.headers.host}/token`;
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="loopback"` }).end();
        return;
      }
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const m = url.pathname.match(/^\/v2\/(.+)\/manifests\/([^/]+)$/);
    const found = m === null ? undefined : answer(m[1]!, decodeURIComponent(m[2]!));
    if (found === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}');
      return;
    }
    const claimed = found.claimedDigest === undefined ? sha256Digest(found.body) : found.claimedDigest;
    res.writeHead(200, {
      'content-type': OCI_MANIFEST,
      'content-length': String(found.body.length),
      ...(claimed === null ? {} : { 'docker-content-digest': claimed }),
    });
    if (req.method === 'HEAD') res.end();
    else if (found.stall === true) res.flushHeaders();
    else if (found.trickle === true) {
      const t = setInterval(() => res.write(' '), 100);
      timers.add(t);
      res.on('close', () => {
        clearInterval(t);
        timers.delete(t);
      });
    } else res.end(found.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearInterval(t);
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
