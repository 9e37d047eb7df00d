/**
 * Attack class "local": what the verifier reads from and writes to the local machine: OCI image layout
 * directories (`oci:DIR`, reached by a relocation mapping value `oci:DIR@digest`), temporary directories.
 * Each attack runs through the CLI. SECURITY.md maps each threat here.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { cliMain } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { makeTgz } from '../helpers/tar.js';
import { TufTestRepo } from '../helpers/tuf-repo.js';

const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';

describe('attacks: local (OCI layout directories, temporary files)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('cnab-trust-attack-local-');
  });
  afterEach(() => tmp.remove());

  /**
   * A bundle whose invocation image is pinned to a manifest, a layout `layout/` that holds the blob under that digest
   * as `place(blobPath, manifestBytes)` puts it there, and a mapping relocating the image to `oci:layout@digest`.
   */
  function relocatedToLayout(place: (blob: string, manifest: Buffer) => void, index?: (file: string) => void): { bundle: string; mapping: string } {
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST_TYPE, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 2 }, layers: [] }));
    const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    const layout = path.join(tmp.dir, 'layout');
    mkdirSync(path.join(layout, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(path.join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    if (index === undefined) writeFileSync(path.join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [] }));
    else index(path.join(layout, 'index.json'));
    place(path.join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)), manifest);
    const bundle = path.join(tmp.dir, 'bundle.json');
    writeFileSync(
      bundle,
      JSON.stringify({
        schemaVersion: 'v1.0.0',
        name: 'local-attack',
        version: '1.0.0',
        invocationImages: [{ imageType: 'oci', image: 'example.com/org/installer:1.0.0', contentDigest: digest, mediaType: MANIFEST_TYPE, size: manifest.length }],
      }),
    );
    const mapping = path.join(tmp.dir, 'mapping.json');
    writeFileSync(mapping, JSON.stringify({ 'example.com/org/installer:1.0.0': `oci:${layout}@${digest}` }));
    return { bundle, mapping };
  }

  /** `relocation verify` through the CLI; the spawn timeout only stops a hang of a broken build (never reached when fixed). */
  function relocationVerify(files: { bundle: string; mapping: string }): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [cliMain, 'relocation', 'verify', files.bundle, files.mapping, '--json'], { encoding: 'utf8', cwd: tmp.dir, timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('the layout, read the ordinary way, verifies (control)', () => {
    const r = relocationVerify(relocatedToLayout((blob, manifest) => writeFileSync(blob, manifest)));
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('a FIFO index.json is refused, not waited on (issue 11.6)', () => {
    const r = relocationVerify(
      relocatedToLayout(
        (blob, manifest) => writeFileSync(blob, manifest),
        (index) => execFileSync('mkfifo', [index]),
      ),
    );
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /E_ARCHIVE_UNSAFE/);
    assert.match(r.stdout + r.stderr, /a FIFO, not a regular file/);
  });

  it('a blob symlinked out of the layout is refused, even when it holds the right bytes (issue 11.6)', () => {
    const r = relocationVerify(
      relocatedToLayout((blob, manifest) => {
        const outside = path.join(tmp.dir, 'outside-manifest.json');
        writeFileSync(outside, manifest);
        symlinkSync(outside, blob);
      }),
    );
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /symbolic link leading out of/);
  });

  it('a blob symlinked to /dev/zero is refused before a byte is read (issue 11.6)', () => {
    const r = relocationVerify(relocatedToLayout((blob) => symlinkSync('/dev/zero', blob)));
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /E_ARCHIVE_UNSAFE/);
  });

  describe('temporary directories (issue 11.12)', () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`a run killed with ${signal} while a metadata server stalls leaves no temporary directory`, async () => {
        const scratch = path.join(tmp.dir, `tmp-${signal}`);
        mkdirSync(scratch);
        const archive = path.join(tmp.dir, 'bundle.tgz');
        writeFileSync(archive, makeTgz([{ name: 'bundle.json', content: '{}' }]));
        // a valid trusted root, so that the client goes on to ask the server for the next root
        const repo = new TufTestRepo(path.join(tmp.dir, `repo-${signal}`));
        repo.writeRoot();
        writeFileSync(path.join(tmp.dir, 'root.json'), repo.trustedRoot());
        // a loopback metadata server that accepts a request and never answers it
        const held: ServerResponse[] = [];
        let requested!: () => void;
        const gotRequest = new Promise<void>((resolve) => (requested = resolve));
        const server = createServer((_req, res) => {
          held.push(res);
          requested();
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        try {
          const child = spawn(process.execPath, [cliMain, 'verify', archive, '--target', 'example.com/a/b:1', '--trusted-root', 'root.json', '--metadata', url], {
            cwd: tmp.dir,
            env: { ...process.env, TMPDIR: scratch },
            stdio: 'ignore',
          });
          const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
          // (should the run end first, the assertion below says so instead of waiting for ever)
          await Promise.race([gotRequest, exited]);
          // the archive is extracted and the client is waiting: its directories exist now
          assert.ok(readdirSync(scratch).some((n) => n.startsWith('cnab-trust-')), 'a temporary directory while running');
          child.kill(signal);
          assert.equal(await exited, signal);
          assert.deepEqual(readdirSync(scratch), []);
        } finally {
          for (const res of held) res.destroy();
          server.close();
        }
      });
    }

    it('a later run sweeps the directories of runs that are gone, and leaves those of live ones', () => {
      const scratch = path.join(tmp.dir, 'tmp-sweep');
      mkdirSync(scratch);
      const gone = spawnSync('true').pid!; // a process that has exited
      const stale = path.join(scratch, `cnab-trust-tuf-${gone}-AbC123`);
      const alive = path.join(scratch, `cnab-trust-tuf-${process.pid}-XyZ789`);
      const other = path.join(scratch, 'cnab-trust-notours');
      for (const d of [stale, alive, other]) mkdirSync(d);
      writeFileSync(path.join(stale, 'root.json'), '{}');
      const file = path.join(tmp.dir, 'some.json');
      writeFileSync(file, '{}');
      const r = spawnSync(process.execPath, [cliMain, 'digest', file], { cwd: tmp.dir, env: { ...process.env, TMPDIR: scratch }, encoding: 'utf8' });
      assert.notEqual(r.status, 4, r.stderr);
      assert.deepEqual(readdirSync(scratch).sort(), [path.basename(alive), path.basename(other)].sort());
    });
  });
});
