/**
 * A read-only HTTP server over a TUF repository directory (`cnab-trust serve`).
 *
 * It resolves request paths as static servers do (`%2F` decoded into nested directories; see
 * core/tuf/repository-path.ts), so the same directory gives the same answers here, behind
 * `python3 -m http.server` or nginx. GET and HEAD only; traversal and links out of the directory are refused (403);
 * nothing is listed; loopback unless told otherwise.
 */
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { CnabTrustError } from '../../core/errors.js';
import { resolveRepositoryFile } from '../fs/repository-file.js';
import type { RepositoryStore } from '../tuf-repo/repository-store.js';

export interface RepositoryServerOptions {
  /** The repository directory to serve. */
  dir: string;
  /** Serve from a repository store instead (PostgreSQL): it answers each path as `dir` would after `publish`. */
  files?: Pick<RepositoryStore, 'resolveFile'>;
  /** Default 127.0.0.1 (loopback). */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Called once per request (method, path, status), e.g. for a log line. */
  onRequest?: (method: string, path: string, status: number) => void;
}

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

export async function startRepositoryServer(options: RepositoryServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const info = options.files !== undefined ? undefined : await stat(options.dir).catch(() => undefined);
  if (options.files === undefined && (info === undefined || !info.isDirectory())) {
    throw new CnabTrustError('E_FILE_NOT_FOUND', 'repository directory does not exist', { subject: options.dir });
  }
  const server = http.createServer((req, res) => {
    void answer(options, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) => {
      const where = `${host}:${options.port ?? 0}`;
      const errno = cause.code === undefined ? '' : `: ${cause.code}`;
      const hint =
        cause.code === 'EADDRINUSE'
          ? `another process listens on ${where}: choose another port (--port N, or --port 0 for any free one)`
          : cause.code === 'EACCES'
            ? `ports below 1024 need privileges: choose --port 1024 or above (--port 0 for any free one)`
            : cause.code === 'EADDRNOTAVAIL'
              ? `${host} is not an address of this machine`
              : undefined;
      reject(new CnabTrustError('E_IO', `cannot listen on ${where}${errno}`, { subject: where, cause, ...(hint === undefined ? {} : { hint }) }));
    });
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === 'IPv6' || host.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostInUrl}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(options: RepositoryServerOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  // the raw path, still percent-encoded: decoding happens once, segment by segment, in repositoryPathSegments
  const rawPath = (req.url ?? '/').replace(/[?#].*$/, '');
  const done = (status: number, body?: string): void => {
    options.onRequest?.(method, rawPath, status);
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(method === 'HEAD' ? undefined : body ?? `${status} ${http.STATUS_CODES[status] ?? ''}\n`);
  };
  try {
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return done(405);
    }
    const file = options.files?.resolveFile !== undefined ? await options.files.resolveFile(rawPath) : await resolveRepositoryFile(options.dir, rawPath);
    if (file.kind === 'missing') return done(404);
    if (file.kind === 'refused') return done(403);
    options.onRequest?.(method, rawPath, 200);
    res.writeHead(200, {
      'content-type': file.path.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      'content-length': String(file.size),
      'cache-control': 'no-store',
    });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    await pipeline(file.open(), res);
  } catch {
    if (!res.headersSent) done(500);
    else res.destroy();
  }
}
