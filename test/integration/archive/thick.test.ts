import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync, symlinkSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { digestThickBundle, readThickBundle, writeThickBundle } from '../../../src/adapters/archive/index.js';
import { digestBundleFile } from '../../../src/workflows/bundle/file.js';
import { rejectsCode, throwsCode } from '../../helpers/assert.js';
import { makeTar, makeTgz } from '../../helpers/tar.js';
import { normalizeEntryName, ThickArchivePolicy } from '../../../src/core/cnab/thick-entry.js';

const bundle = '{"invocationImages":[{"image":"a"}],"name":"x","schemaVersion":"v1.0.0","version":"1.0.0"}';

describe('adapters/archive thick bundles (CNAB 104)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cnab-trust-archive-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, bytes: Buffer): string => {
    const f = path.join(dir, name);
    writeFileSync(f, bytes);
    return f;
  };

  it('reads bundle.json and digests the archive bytes', async () => {
    const tgz = makeTgz([
      { name: './bundle.json', content: bundle },
      { name: 'artifacts/', type: '5' },
      { name: 'artifacts/layout/', type: '5' },
      { name: 'artifacts/layout/oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' },
    ]);
    const f = write('b.tgz', tgz);
    const r = await readThickBundle(f);
    assert.equal(r.bundleBytes.toString(), bundle);
    assert.equal(r.digest, `sha256:${createHash('sha256').update(tgz).digest('hex')}`);
    assert.equal(r.length, tgz.length);
    assert.equal(r.entries, 4);
    assert.equal(r.layoutEntries, 2);
  });

  it('digest: hashes the whole archive but inflates it only until bundle.json is read', async () => {
    const big = randomBytes(4 << 20); // incompressible: the archive is over 4 MiB, read in 1 MiB chunks
    const tgz = makeTgz([
      { name: 'bundle.json', content: bundle },
      { name: 'artifacts/layout/blob', content: big },
    ]);
    const sha = `sha256:${createHash('sha256').update(tgz).digest('hex')}`;
    const good = write('good.tgz', tgz);
    const head = await digestThickBundle(good);
    assert.equal(head.digest, sha);
    assert.equal(head.length, tgz.length);
    assert.equal(head.bundleBytes.toString(), bundle);
    assert.equal((await readThickBundle(good)).digest, sha);
    // the gzip trailer (CRC-32 and length of the inflated data) broken: only a reader that inflates to the end sees it
    const broken = Buffer.from(tgz);
    for (let i = broken.length - 8; i < broken.length; i++) broken[i] ^= 0xff;
    const f = write('broken-tail.tgz', broken);
    await rejectsCode(readThickBundle(f), 'E_ARCHIVE_INVALID', /gzip/);
    const report = await digestBundleFile(f);
    assert.equal(report.digest, `sha256:${createHash('sha256').update(broken).digest('hex')}`);
    assert.equal(report.kind, 'thick');
    assert.equal(report.bundle?.length, Buffer.byteLength(bundle));
  });

  it('digest: bundle.json after other entries is found the same way, and its absence is still refused', async () => {
    const tgz = makeTgz([
      { name: 'artifacts/layout/blob', content: randomBytes(2 << 20) },
      { name: 'bundle.json', content: bundle },
    ]);
    const f = write('late.tgz', tgz);
    const head = await digestThickBundle(f);
    assert.equal(head.digest, `sha256:${createHash('sha256').update(tgz).digest('hex')}`);
    assert.equal(head.bundleBytes.toString(), bundle);
    const none = write('none.tgz', makeTgz([{ name: 'artifacts/layout/blob', content: 'x' }]));
    await rejectsCode(digestThickBundle(none), 'E_ARCHIVE_INVALID', /no bundle\.json/);
  });

  it('refuses ../ and absolute entry names', async () => {
    for (const name of ['../evil', 'artifacts/../../evil', '/etc/passwd', 'a\\..\\..\\b', 'C:/x']) {
      const f = write('u.tgz', makeTgz([{ name: 'bundle.json', content: bundle }, { name, content: 'x' }]));
      await rejectsCode(readThickBundle(f), 'E_ARCHIVE_UNSAFE', /escape|absolute/);
    }
  });

  it('refuses a symlinked or hard-linked bundle.json, and links anywhere', async () => {
    let f = write('s.tgz', makeTgz([{ name: 'bundle.json', type: '2', linkname: '/etc/passwd' }]));
    await rejectsCode(readThickBundle(f), 'E_ARCHIVE_UNSAFE', /bundle\.json in .* is a symbolic link/);
    f = write('h.tgz', makeTgz([{ name: 'x', content: bundle }, { name: 'bundle.json', type: '1', linkname: 'x' }]));
    await rejectsCode(readThickBundle(f), 'E_ARCHIVE_UNSAFE', /hard link/);
    f = write('l.tgz', makeTgz([{ name: 'bundle.json', content: bundle }, { name: 'artifacts/layout/x', type: '2', linkname: '../../..' }]));
    await rejectsCode(readThickBundle(f), 'E_ARCHIVE_UNSAFE', /may not hold links/);
    f = write('d.tgz', makeTgz([{ name: 'bundle.json', content: bundle }, { name: 'dev', type: '3' }]));
    await rejectsCode(readThickBundle(f), 'E_ARCHIVE_UNSAFE', /only regular files/);
  });

  it('refuses two bundle.json entries', async () => {
    const f = write('2.tgz', makeTgz([{ name: 'bundle.json', content: bundle }, { name: './bundle.json', content: '{}' }]));
    await rejectsCode(readThickBundle(f), 'E_ARCHIVE_UNSAFE', /more than once/);
  });

  it('bounds entry count, entry size, total size and bundle.json size', async () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, content: 'x' }));
    let f = write('m.tgz', makeTgz([{ name: 'bundle.json', content: bundle }, ...many]));
    await rejectsCode(readThickBundle(f, { maxEntries: 10 }), 'E_ARCHIVE_TOO_LARGE', /more than 10 entries/);
    f = write('big.tgz', makeTgz([{ name: 'bundle.json', content: bundle }, { name: 'blob', content: Buffer.alloc(5000) }]));
    await rejectsCode(readThickBundle(f, { maxEntryBytes: 4096 }), 'E_ARCHIVE_TOO_LARGE', /"blob" .* 5000 bytes/);
    await rejectsCode(readThickBundle(f, { maxTotalBytes: 4096 }), 'E_ARCHIVE_TOO_LARGE', /more than 4096 bytes of content/);
    await rejectsCode(readThickBundle(f, { maxBundleBytes: 10 }), 'E_ARCHIVE_TOO_LARGE', /bundle\.json .* more than the limit of 10/);
  });

  it('bounds the decompressed stream (gzip bomb with a lying header)', async () => {
    // A header claiming 1 byte followed by megabytes of zeros that no entry accounts for.
    const tar = Buffer.concat([makeTar([{ name: 'bundle.json', content: bundle }]).subarray(0, 1024), Buffer.alloc(8 * 1024 * 1024)]);
    const f = write('bomb.tgz', gzipSync(tar));
    await rejectsCode(readThickBundle(f, { maxTotalBytes: 1024, maxEntries: 1 }), 'E_ARCHIVE_TOO_LARGE', /decompresses to more than/);
  });

  it('refuses what is not a gzipped tar, and archives without bundle.json', async () => {
    await rejectsCode(readThickBundle(write('p.tar', makeTar([{ name: 'bundle.json', content: bundle }]))), 'E_ARCHIVE_INVALID', /not a gzip/);
    await rejectsCode(readThickBundle(write('e.tgz', Buffer.alloc(0))), 'E_ARCHIVE_INVALID', /empty/);
    const good = makeTgz([{ name: 'bundle.json', content: bundle }]);
    await rejectsCode(readThickBundle(write('t.tgz', good.subarray(0, good.length - 10))), 'E_ARCHIVE_INVALID');
    await rejectsCode(readThickBundle(write('g.tgz', gzipSync(Buffer.from('hello, not a tar')))), 'E_ARCHIVE_INVALID');
    await rejectsCode(readThickBundle(write('n.tgz', makeTgz([{ name: 'other.json', content: bundle }]))), 'E_ARCHIVE_INVALID', /no bundle\.json/);
    await rejectsCode(readThickBundle(path.join(dir, 'missing.tgz')), 'E_FILE_NOT_FOUND');
  });

  it('writes a reproducible archive that reads back', async () => {
    const layout = path.join(dir, 'layout');
    mkdirSync(path.join(layout, 'blobs/sha256'), { recursive: true });
    writeFileSync(path.join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(path.join(layout, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    writeFileSync(path.join(layout, 'blobs/sha256/abc'), 'blob');
    const out1 = path.join(dir, 'one.tgz');
    const out2 = path.join(dir, 'two.tgz');
    const d1 = await writeThickBundle(out1, { bundleBytes: Buffer.from(bundle), layoutDir: layout });
    const d2 = await writeThickBundle(out2, { bundleBytes: Buffer.from(bundle), layoutDir: layout });
    assert.equal(d1.digest, d2.digest);
    assert.deepEqual(readFileSync(out1), readFileSync(out2));
    const r = await readThickBundle(out1);
    assert.equal(r.digest, d1.digest);
    assert.equal(r.bundleBytes.toString(), bundle);
    assert.equal(r.layoutEntries, 6); // layout dir, blobs, blobs/sha256, blob, index.json, oci-layout
    assert.deepEqual(readdirSync(dir).sort(), ['layout', 'one.tgz', 'two.tgz']);
  });

  it('refuses to write a layout that holds links', async () => {
    const layout = path.join(dir, 'layout');
    mkdirSync(layout);
    symlinkSync('/etc/passwd', path.join(layout, 'index.json'));
    await rejectsCode(writeThickBundle(path.join(dir, 'x.tgz'), { bundleBytes: Buffer.from(bundle), layoutDir: layout }), 'E_ARCHIVE_UNSAFE');
    assert.deepEqual(readdirSync(dir), ['layout']);
  });

  it('normalizes entry names (core policy)', () => {
    assert.equal(normalizeEntryName('./a//b/./c/', 'x'), 'a/b/c');
    throwsCode(() => normalizeEntryName('a/\0b', 'x'), 'E_ARCHIVE_UNSAFE');
    const p = new ThickArchivePolicy('x.tgz');
    throwsCode(() => p.finish(), 'E_ARCHIVE_INVALID');
    throwsCode(() => p.admit({ path: 'bundle.json', type: 'Directory', size: 0 }), 'E_ARCHIVE_INVALID');
  });
});
