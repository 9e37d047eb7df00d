/**
 * Errors that say what to do (issue 13 item 5), each through the CLI: a failed metadata fetch names the URL and
 * the HTTP status or errno; serve on a busy port says EADDRINUSE and suggests --port; metadata that no key of the
 * trusted root signed suggests a wrong --trusted-root; a --trusted-root that is not a root says so; a relocated
 * reference without --target suggests --target; an expired root suggests a new root, not `metadata refresh`;
 * files named on the command line are read before any request. (A wrong passphrase, exit 1: tuf-repo/init-sign.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { intotoFixtures } from '../../helpers/fixtures.js';
import { runCliAsync, type CliRun } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { TufTestRepo } from '../../helpers/tuf-repo.js';

const DAY = 24 * 3600 * 1000;

interface JsonError {
  code: string;
  message: string;
  subject?: string;
  hint?: string;
}

/** The `error` of a `--json` run: from `{"error"}` or from a verify report. */
function errorOf(r: CliRun): JsonError {
  const doc = JSON.parse(r.stdout) as { error: JsonError };
  return doc.error;
}

/** A server over a repository directory that answers `status` for the files `refuse` names; counts requests. */
async function serveRepository(dir: string, refuse: (file: string) => number | undefined): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const file = decodeURIComponent((req.url ?? '/').replace(/^\/+/, '').replace(/[?#].*$/, ''));
    const status = refuse(file);
    if (status !== undefined) {
      res.writeHead(status).end();
      return;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(path.join(dir, file));
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(bytes);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('cli errors that say what to do', function () {
  this.timeout(120_000);
  let tmp: ReturnType<typeof makeTempDir>;
  let n = 0;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => tmp.remove());

  function repository(setup?: (r: TufTestRepo) => void): { repo: TufTestRepo; name: string; root: string } {
    const repo = new TufTestRepo(path.join(tmp.dir, `repo${++n}`));
    const name = `${repo.gun}:1.0.0`;
    repo.addTarget(name, Buffer.from('{"name":"b","version":"1.0.0"}'));
    setup?.(repo);
    repo.writeRoot();
    repo.publish();
    return { repo, name, root: path.join(repo.dir, '1.root.json') };
  }

  it('a metadata fetch that fails names the URL and the errno', async () => {
    const { name, root } = repository();
    // a port nothing listens on (taken, then released)
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const r = await runCliAsync(['tuf', 'get', name, '--trusted-root', root, '--metadata', `http://127.0.0.1:${port}/`, '--json']);
    assert.equal(r.status, 3, r.stderr);
    const e = errorOf(r);
    assert.equal(e.code, 'E_TUF_FETCH');
    assert.equal(e.message, `root could not be fetched from http://127.0.0.1:${port}/2.root.json: ECONNREFUSED`);
    // a port the Fetch standard blocks: the reason fetch gives
    const blocked = await runCliAsync(['tuf', 'get', name, '--trusted-root', root, '--metadata', 'http://127.0.0.1:9/', '--json']);
    assert.equal(errorOf(blocked).message, 'root could not be fetched from http://127.0.0.1:9/2.root.json: bad port');
  });

  it('a metadata fetch that fails names the URL and the HTTP status', async () => {
    const { repo, name, root } = repository();
    const server = await serveRepository(repo.dir, (f) => (f === 'timestamp.json' ? 403 : undefined));
    try {
      const r = await runCliAsync(['tuf', 'get', name, '--trusted-root', root, '--metadata', server.url, '--json']);
      assert.equal(r.status, 3, r.stderr);
      const e = errorOf(r);
      assert.equal(e.code, 'E_TUF_FETCH');
      assert.equal(e.message, `timestamp could not be fetched from ${server.url}/timestamp.json: HTTP 403`);
    } finally {
      await server.close();
    }
  });

  it('serve on a busy port: EADDRINUSE, and --port in the hint', async () => {
    const { repo } = repository();
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    try {
      const port = (busy.address() as AddressInfo).port;
      const r = await runCliAsync(['serve', '--metadata', repo.dir, '--port', String(port)]);
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stderr, new RegExp(`^error\\[E_IO\\]: cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE`));
      assert.match(r.stderr, /hint: .*--port N, or --port 0/);
    } finally {
      await new Promise<void>((r) => busy.close(() => r()));
    }
  });

  it("metadata that no key of the trusted root signed suggests a wrong --trusted-root", async () => {
    const a = repository();
    const b = repository();
    const r = await runCliAsync(['tuf', 'get', b.name, '--trusted-root', a.root, '--metadata', b.repo.dir, '--json']);
    assert.equal(r.status, 1, r.stderr);
    const e = errorOf(r);
    assert.equal(e.code, 'E_TUF_SIGNATURE');
    assert.equal(e.subject, 'timestamp');
    assert.match(e.hint!, /is --trusted-root this repository's root/);
  });

  it('a --trusted-root that is not a root says so, before any request', async () => {
    const { repo, name } = repository();
    const server = await serveRepository(repo.dir, () => undefined);
    try {
      for (const [file, what] of [
        [path.join(intotoFixtures, 'cases/demo-pass/root.layout'), /\(its signed\._type is 'layout'\)/],
        [path.join(repo.dir, 'timestamp.json'), /\(its signed\._type is 'timestamp'\)/],
        [path.join(intotoFixtures, 'keys/alice.pub'), /: not JSON/],
      ] as const) {
        const r = await runCliAsync(['tuf', 'get', name, '--trusted-root', file, '--metadata', server.url, '--json']);
        assert.equal(r.status, 1, r.stderr);
        const e = errorOf(r);
        assert.equal(e.code, 'E_TUF_INVALID');
        assert.equal(e.subject, file);
        assert.match(e.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not TUF root metadata`));
        assert.match(e.message, what);
        assert.match(e.hint!, /root metadata/);
      }
      assert.equal(server.requests(), 0);
    } finally {
      await server.close();
    }
  });

  it('verify of a relocated reference without --target: E_TUF_TARGET_NOT_FOUND suggests --target <original ref>', async () => {
    const { repo, root } = repository();
    const r = await runCliAsync(['verify', '127.0.0.1:1/mirror/app:1.0.0', '--trusted-root', root, '--metadata', repo.dir, '--json']);
    assert.equal(r.status, 1, r.stderr);
    const e = errorOf(r);
    assert.equal(e.code, 'E_TUF_TARGET_NOT_FOUND');
    assert.match(e.hint!, /--target <original reference>/);
  });

  it('an expired root suggests a new root (metadata rotate --role root), not metadata refresh', async () => {
    const { name, root, repo } = repository((r) => (r.expires.root = new Date(Date.now() - DAY)));
    const r = await runCliAsync(['tuf', 'get', name, '--trusted-root', root, '--metadata', repo.dir, '--json']);
    assert.equal(r.status, 1, r.stderr);
    const e = errorOf(r);
    assert.equal(e.code, 'E_TUF_EXPIRED');
    assert.equal(e.subject, 'root');
    assert.match(e.hint!, /cnab-trust metadata rotate --role root/);
    assert.match(e.hint!, /newer trusted root/);
    assert.doesNotMatch(e.hint!, /refresh/);
  });

  it('verify reads the files named on the command line before any request', async () => {
    const { repo, name, root } = repository();
    const server = await serveRepository(repo.dir, () => undefined);
    try {
      const missing = await runCliAsync(['verify', '127.0.0.1:1/mirror/app:1.0.0', '--target', name, '--trusted-root', root, '--metadata', server.url, '--relocation-mapping', path.join(tmp.dir, 'no-such-mapping.json'), '--json']);
      assert.equal(missing.status, 3, missing.stderr);
      assert.equal(errorOf(missing).code, 'E_FILE_NOT_FOUND');
      const report = await runCliAsync(['verify', '127.0.0.1:1/mirror/app:1.0.0', '--target', name, '--trusted-root', root, '--metadata', server.url, '--report', path.join(tmp.dir, 'no/such/dir/report.json'), '--json']);
      assert.equal(report.status, 3, report.stderr);
      assert.match(errorOf(report).message, /the directory of .*report\.json does not exist/);
      const notRoot = await runCliAsync(['verify', '127.0.0.1:1/mirror/app:1.0.0', '--target', name, '--trusted-root', path.join(tmp.dir, 'nowhere.json'), '--metadata', server.url, '--json']);
      assert.equal(notRoot.status, 3, notRoot.stderr);
      assert.equal(server.requests(), 0);
    } finally {
      await server.close();
    }
  });
});
