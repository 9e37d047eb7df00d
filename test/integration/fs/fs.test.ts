import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, statSync, readdirSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { readFileBounded, readJsonFile, writeFileAtomic, sha256File } from '../../../src/adapters/fs/index.js';
import { rejectsCode } from '../../helpers/assert.js';

describe('adapters/fs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cnab-trust-fs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file within its bound', async () => {
    const f = path.join(dir, 'a.txt');
    writeFileSync(f, 'hello');
    assert.equal((await readFileBounded(f)).toString(), 'hello');
    assert.equal((await readFileBounded(f, { maxBytes: 5 })).toString(), 'hello');
  });

  it('turns a missing file into E_FILE_NOT_FOUND naming it', async () => {
    const f = path.join(dir, 'nope.json');
    const e = await rejectsCode(readFileBounded(f), 'E_FILE_NOT_FOUND', /file not found: .*nope\.json/);
    assert.equal(e.subject, f);
    await rejectsCode(readFileBounded(path.join(dir, 'nope', 'x')), 'E_FILE_NOT_FOUND');
  });

  it('refuses a file larger than the bound and a directory', async () => {
    const f = path.join(dir, 'big');
    writeFileSync(f, Buffer.alloc(1000));
    await rejectsCode(readFileBounded(f, { maxBytes: 999, what: 'bundle' }), 'E_FILE_TOO_LARGE', /bundle .* is 1000 bytes/);
    await rejectsCode(readFileBounded(dir), 'E_IO', /directory/);
  });

  it('reads JSON strictly, naming the file in errors', async () => {
    const f = path.join(dir, 'd.json');
    writeFileSync(f, '{"a":1,"a":2}');
    const e = await rejectsCode(readJsonFile(f), 'E_JSON_DUPLICATE_KEY');
    assert.equal(e.subject, f);
    writeFileSync(f, '{"a":[1.5]}');
    const { value, bytes } = await readJsonFile(f);
    assert.deepEqual(value, { a: [1.5] });
    assert.equal(bytes.toString(), '{"a":[1.5]}');
  });

  it('writes atomically with the requested mode and leaves no temp file', async () => {
    const f = path.join(dir, 'key.json');
    await writeFileAtomic(f, 'secret', { mode: 0o600 });
    assert.equal(readFileSync(f, 'utf8'), 'secret');
    assert.equal(statSync(f).mode & 0o777, 0o600);
    await writeFileAtomic(f, Buffer.from('replaced'));
    assert.equal(readFileSync(f, 'utf8'), 'replaced');
    assert.equal(statSync(f).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(dir), ['key.json']);
  });

  it('creates parent directories on request, and fails cleanly without', async () => {
    await rejectsCode(writeFileAtomic(path.join(dir, 'x', 'y.json'), '{}'), 'E_FILE_NOT_FOUND');
    await writeFileAtomic(path.join(dir, 'x', 'y.json'), '{}', { mkdirs: true, mode: 0o600 });
    assert.equal(statSync(path.join(dir, 'x')).mode & 0o777, 0o700);
    mkdirSync(path.join(dir, 'z'));
    await rejectsCode(writeFileAtomic(path.join(dir, 'z'), 'x'), 'E_IO');
    assert.deepEqual(readdirSync(dir).sort(), ['x', 'z']);
  });

  it('hashes a file by streaming', async () => {
    const f = path.join(dir, 'blob');
    const data = Buffer.alloc(3 * 1024 * 1024 + 7, 0x61);
    writeFileSync(f, data);
    const d = await sha256File(f);
    assert.equal(d.length, data.length);
    assert.equal(d.digest, `sha256:${createHash('sha256').update(data).digest('hex')}`);
    await rejectsCode(sha256File(path.join(dir, 'missing')), 'E_FILE_NOT_FOUND');
  });
});
