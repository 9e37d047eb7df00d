/**
 * Attack class "local": what the verifier reads from and writes to the local machine: OCI image layout
 * directories (`oci:DIR`, reached by a relocation mapping value `oci:DIR@digest`), temporary directories.
 * Each attack runs through the CLI. SECURITY.md maps each threat here.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliMain } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

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
});
