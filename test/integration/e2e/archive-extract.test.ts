/**
 * Extraction of thick bundles (the airgap verifier and `import` extract them): every admitted entry lands below the
 * target directory under its normalized name; what the archive policy refuses is never written; a name given twice
 * is refused rather than overwritten.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readThickBundle } from '../../../src/adapters/archive/index.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { makeTgz } from '../../helpers/tar.js';
import { rejectsCode } from '../../helpers/assert.js';

describe('thick bundle extraction', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('cnab-trust-extract-');
  });
  afterEach(() => tmp.remove());

  const archive = (name: string, entries: Parameters<typeof makeTgz>[0]): string => {
    const file = path.join(tmp.dir, name);
    writeFileSync(file, makeTgz(entries));
    return file;
  };

  it('writes bundle.json, the layout and other trees under their names, and still returns the bundle bytes', async () => {
    const file = archive('ok.tgz', [
      { name: 'bundle.json', content: '{"name":"x"}' },
      { name: 'artifacts/', type: '5' },
      { name: 'artifacts/layout/oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' },
      { name: './artifacts/tuf//metadata/1.root.json', content: 'root' },
    ]);
    const out = path.join(tmp.dir, 'out');
    const read = await readThickBundle(file, {}, out);
    assert.equal(read.bundleBytes.toString(), '{"name":"x"}');
    assert.equal(readFileSync(path.join(out, 'bundle.json'), 'utf8'), '{"name":"x"}');
    assert.equal(readFileSync(path.join(out, 'artifacts/layout/oci-layout'), 'utf8'), '{"imageLayoutVersion":"1.0.0"}');
    assert.equal(readFileSync(path.join(out, 'artifacts/tuf/metadata/1.root.json'), 'utf8'), 'root');
  });

  it('refuses a name given twice (E_ARCHIVE_UNSAFE) instead of overwriting the first', async () => {
    const file = archive('dup.tgz', [
      { name: 'bundle.json', content: '{}' },
      { name: 'artifacts/tuf/target.json', content: '{"target":"a"}' },
      { name: 'artifacts/tuf/target.json', content: '{"target":"b"}' },
    ]);
    await rejectsCode(readThickBundle(file, {}, path.join(tmp.dir, 'out')), 'E_ARCHIVE_UNSAFE');
  });

  it('refuses a name that is both a file and a directory (E_ARCHIVE_UNSAFE), in either order', async () => {
    const cases: Array<Parameters<typeof makeTgz>[0]> = [
      [{ name: 'bundle.json', content: '{}' }, { name: 'artifacts/x', content: 'file' }, { name: 'artifacts/x/y', content: 'under a file' }],
      [{ name: 'bundle.json', content: '{}' }, { name: 'artifacts/x', content: 'file' }, { name: 'artifacts/x/', type: '5' }],
      [{ name: 'bundle.json', content: '{}' }, { name: 'artifacts/x/', type: '5' }, { name: 'artifacts/x', content: 'file over a directory' }],
    ];
    for (const [i, entries] of cases.entries()) {
      await rejectsCode(readThickBundle(archive(`conflict-${i}.tgz`, entries), {}, path.join(tmp.dir, `out-${i}`)), 'E_ARCHIVE_UNSAFE');
    }
  });

  it('writes nothing outside the directory for a ../ entry (E_ARCHIVE_UNSAFE)', async () => {
    const file = archive('evil.tgz', [
      { name: 'bundle.json', content: '{}' },
      { name: '../escaped.txt', content: 'x' },
    ]);
    const out = path.join(tmp.dir, 'out');
    await rejectsCode(readThickBundle(file, {}, out), 'E_ARCHIVE_UNSAFE');
    assert.equal(existsSync(path.join(tmp.dir, 'escaped.txt')), false);
    assert.deepEqual(existsSync(out) ? readdirSync(out).filter((n) => n !== 'bundle.json') : [], []);
  });
});
