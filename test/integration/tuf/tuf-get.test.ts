/**
 * The TUF client (tuf-js Updater through our fetchers) reads a repository from a directory, through
 * `cnab-trust serve`, and through `python3 -m http.server` over the same directory: root rotation, timestamp,
 * snapshot, top-level targets, the delegated role `targets/releases` (requested as `N.targets%2Freleases.json`,
 * stored as `N.targets/releases.json`) and the hash-prefixed target file are all found.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { TufTestRepo, generateKey } from '../../helpers/tuf-repo.js';
import { startPythonHttpServer } from '../../helpers/python-http-server.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { getTrustedTarget, downloadTrustedTarget } from '../../../src/workflows/tuf/get.js';
import { startRepositoryServer } from '../../../src/adapters/http/repository-server.js';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const cli = path.join(repoRoot, 'dist/src/cli/main.js');

describe('tuf get: the TUF client over a directory, serve and a static server', function () {
  let tmp: ReturnType<typeof makeTempDir>;
  let repo: TufTestRepo;
  let trustedRoot: Buffer;
  const bundle = Buffer.from('{"name":"example-bundle","version":"1.2.0"}');
  let name: string;

  before(() => {
    tmp = makeTempDir();
    repo = new TufTestRepo(path.join(tmp.dir, 'metadata'));
    name = `${repo.gun}:1.2.0`;
    repo.writeRoot();
    trustedRoot = repo.trustedRoot(1);
    // a root rotation (new timestamp key), so that the client walks 2.root.json and stops at the 404 of 3.root.json
    const oldRootKeys = repo.keys.root;
    repo.keys.root = [generateKey()];
    repo.keys.timestamp = [generateKey()];
    repo.versions.root = 2;
    repo.writeRoot([...oldRootKeys, ...repo.keys.root]);
    repo.addTarget(name, bundle, { bundle: { name: 'example-bundle', version: '1.2.0' } });
    repo.addTarget(`${repo.gun}/in-toto-metadata/root.layout`, Buffer.from('{"layout":true}'), undefined, 'targets');
    repo.publish();
    writeFileSync(path.join(tmp.dir, 'root.json'), trustedRoot);
  });
  after(() => tmp.remove());

  const expected = () => ({
    name,
    length: bundle.length,
    hashes: repo.targets['targets/releases'][name]!.hashes,
    custom: { bundle: { name: 'example-bundle', version: '1.2.0' } },
  });

  async function checkEverything(metadata: string, label: string): Promise<void> {
    const target = await getTrustedTarget(name, { trustedRoot, metadata, http: { retries: 0 } });
    assert.deepEqual(target, expected(), label);
    const top = await getTrustedTarget(`${repo.gun}/in-toto-metadata/root.layout`, { trustedRoot, metadata, http: { retries: 0 } });
    assert.equal(top.length, 15);
    const got = await downloadTrustedTarget(name, { trustedRoot, metadata, http: { retries: 0 } });
    assert.deepEqual(got.bytes, bundle, label);
  }

  it('reads every file from the directory', async () => {
    await checkEverything(repo.dir, 'directory');
  });

  it('reads every file through cnab-trust serve', async () => {
    const server = await startRepositoryServer({ dir: repo.dir });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      await checkEverything(server.url, 'serve');
    } finally {
      await server.close();
    }
  });

  it('reads every file through python3 -m http.server over the same directory', async () => {
    const server = await startPythonHttpServer(repo.dir);
    try {
      await checkEverything(server.url, 'python http.server');
    } finally {
      await server.stop();
    }
  });

  it('keeps trusted metadata in --cache and rotates the root there', async () => {
    const cacheDir = path.join(tmp.dir, 'cache');
    await getTrustedTarget(name, { trustedRoot, metadata: repo.dir, cacheDir });
    const cachedRoot = JSON.parse(readFileSync(path.join(cacheDir, 'root.json'), 'utf8'));
    assert.equal(cachedRoot.signed.version, 2);
    for (const f of ['timestamp.json', 'snapshot.json', 'targets.json', 'targets%2Freleases.json']) {
      assert.ok(readFileSync(path.join(cacheDir, f)).length > 0, f);
    }
    // a second run starts from the cached (rotated) root
    assert.deepEqual(await getTrustedTarget(name, { metadata: repo.dir, cacheDir }), expected());
  });

  it('downloads the verified target file into a directory', async () => {
    const out = path.join(tmp.dir, 'download');
    const got = await downloadTrustedTarget(name, { trustedRoot, metadata: repo.dir, directory: out });
    assert.equal(got.path, path.join(out, encodeURIComponent(name)));
    assert.deepEqual(readFileSync(got.path!), bundle);
  });

  it('prints {"target": ...} with --json and a human summary without', async () => {
    const { stdout } = await run('node', [cli, 'tuf', 'get', name, '--trusted-root', path.join(tmp.dir, 'root.json'), '--metadata', repo.dir, '--json']);
    assert.deepEqual(JSON.parse(stdout), { target: expected() });
    const human = await run('node', [cli, 'tuf', 'get', name, '--trusted-root', path.join(tmp.dir, 'root.json'), '--metadata', repo.dir]);
    assert.match(human.stdout, /trusted target example\.com\/example-org\/example-bundle:1\.2\.0/);
    assert.match(human.stdout, /sha256 +[0-9a-f]{64}/);
  });

  it('exits 1 with E_TUF_TARGET_NOT_FOUND for an unsigned tag', async () => {
    const err = await run('node', [cli, 'tuf', 'get', `${repo.gun}:9.9.9`, '--trusted-root', path.join(tmp.dir, 'root.json'), '--metadata', repo.dir, '--json']).then(
      () => assert.fail('must fail'),
      (e: { code: number; stdout: string }) => e,
    );
    assert.equal(err.code, 1);
    assert.equal(JSON.parse(err.stdout).error.code, 'E_TUF_TARGET_NOT_FOUND');
  });

  it('cnab-trust serve prints its URL and answers until stopped', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn('node', [cli, 'serve', '--metadata', repo.dir, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { url: string }).url);
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      assert.deepEqual(await getTrustedTarget(name, { trustedRoot, metadata: url, http: { retries: 0 } }), expected());
    } finally {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
  });
});
