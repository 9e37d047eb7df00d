/**
 * Attack class "archive": hostile thick bundles (CNAB 104 .tgz) given to `verify` and `import`.
 * Each attack runs through the CLI (`node dist/src/cli/main.js`). SECURITY.md maps each threat here.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { assertOneLineError, cliMain, runCliIn } from '../helpers/cli.js';
import { makeTar, makeTgz } from '../helpers/tar.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('attacks: archive (thick bundles, CNAB 104)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('cnab-trust-attack-archive-');
  });
  afterEach(() => tmp.remove());

  it('a big archive extracts without leaking listeners (no MaxListenersExceededWarning)', () => {
    // 12 MiB of incompressible content: gunzip and the tar parser both push back many times
    const archive = path.join(tmp.dir, 'big.tgz');
    writeFileSync(archive, makeTgz([{ name: 'bundle.json', content: '{}' }, { name: 'pad', content: randomBytes(12 * 1024 * 1024) }]));
    writeFileSync(path.join(tmp.dir, 'root.json'), '{}');
    const r = runCliIn(tmp.dir, ['verify', archive, '--target', 'example.com/a/b:1', '--trusted-root', 'root.json']);
    assert.ok(!r.stderr.includes('MaxListenersExceededWarning'), r.stderr);
    assert.ok(!r.stderr.includes('memory leak'), r.stderr);
  });

  it('an archive without TUF metadata and no --metadata is a usage error, not a crash', () => {
    const archive = path.join(tmp.dir, 'plain.tgz');
    writeFileSync(archive, makeTgz([{ name: 'bundle.json', content: '{}' }]));
    writeFileSync(path.join(tmp.dir, 'root.json'), '{}');
    const r = runCliIn(tmp.dir, ['verify', archive, '--target', 'example.com/a/b:1', '--trusted-root', 'root.json']);
    assertOneLineError(r, 'E_USAGE', 2, 'carries no TUF metadata');
  });

  it('a gzip bomb is refused by its expansion ratio, before TUF is asked and before much is written (issue 11.6)', () => {
    // 256 MiB of zeros gzip to ~256 KiB: far beyond any image layer's ratio
    const archive = path.join(tmp.dir, 'bomb.tgz');
    writeFileSync(archive, gzipSync(makeTar([{ name: 'bundle.json', content: '{}' }, { name: 'artifacts/layout/blobs/sha256/zeros', content: Buffer.alloc(256 * 1024 * 1024) }]), { level: 9 }));
    writeFileSync(path.join(tmp.dir, 'root.json'), '{}');
    const scratch = path.join(tmp.dir, 'scratch');
    mkdirSync(scratch);
    const r = runCliIn(tmp.dir, ['verify', archive, '--target', 'example.com/a/b:1', '--trusted-root', 'root.json', '--metadata', tmp.dir, '--json'], { ...process.env, TMPDIR: scratch });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    assert.equal(report.error.code, 'E_ARCHIVE_TOO_LARGE');
    assert.match(report.error.message, /gzip bomb/);
    assert.deepEqual(readdirSync(scratch), [], 'temporary files left behind');
  });

  it('entries nothing references are not written to disk before TUF is asked (issue 11.6)', () => {
    // 24 MiB of incompressible bytes under a blob name that no index lists, and a file size limit of 16 MiB:
    // extracting it would exceed the limit (EFBIG or SIGXFSZ); reading past it does not
    const archive = path.join(tmp.dir, 'unreferenced.tgz');
    writeFileSync(
      archive,
      makeTgz([
        { name: 'bundle.json', content: '{}' },
        { name: 'artifacts/tuf/metadata/1.root.json', content: '{}' },
        { name: `artifacts/layout/blobs/sha256/${'e'.repeat(64)}`, content: randomBytes(24 * 1024 * 1024) },
      ]),
    );
    writeFileSync(path.join(tmp.dir, 'root.json'), '{}');
    const r = spawnSync('sh', ['-c', 'ulimit -f 32768 && exec "$@"', 'sh', process.execPath, cliMain, 'verify', archive, '--target', 'example.com/a/b:1', '--trusted-root', 'root.json', '--json'], {
      cwd: tmp.dir,
      encoding: 'utf8',
    });
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as { steps: { name: string; ok: boolean }[] };
    // the archive was read through; TUF then refused the (bogus) trusted root
    assert.deepEqual(
      report.steps.map((s) => [s.name, s.ok]),
      [['tuf', false]],
    );
  });
});
