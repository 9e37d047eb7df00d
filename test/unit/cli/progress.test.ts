import assert from 'node:assert/strict';
import { copyProgress, formatBytes, progressLine } from '../../../src/cli/progress.js';

const p = (done: number, total: number, bytes = done) => ({ manifests: 1, blobs: 2, bytes, doneBytes: done, totalBytes: total, image: 'example.com/org/web:1' });

describe('cli copy progress', () => {
  it('formats bytes, the image, done of total and the rate', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(3 * 1048576), '3.0 MiB');
    assert.equal(progressLine(p(2 * 1048576, 8 * 1048576), 2000), 'copying example.com/org/web:1: 2.0 MiB of 8.0 MiB, 1.0 MiB/s, 2 blob(s), 1 manifest(s)');
  });

  it('draws only on a terminal, never with --json or --quiet (the TTY decision injected)', () => {
    const out: string[] = [];
    const tty = { isTTY: true, columns: 200, write: (s: string) => out.push(s) };
    const pipe = { isTTY: false, write: (s: string) => out.push(s) };
    assert.equal(copyProgress({}, pipe), undefined);
    assert.equal(copyProgress({ json: true }, tty), undefined);
    assert.equal(copyProgress({ quiet: true }, tty), undefined);
    assert.equal(out.length, 0);
    let t = 1000;
    const r = copyProgress({}, tty, () => t)!;
    r.onProgress(p(0, 100));
    t += 50;
    r.onProgress(p(50, 100)); // within 200 ms of the last line: not drawn
    t += 300;
    r.onProgress(p(100, 100));
    r.done();
    assert.equal(out.length, 4);
    assert.ok(out[0]!.startsWith('\rcopying example.com/org/web:1: 0 B of 100 B'));
    assert.ok(out[1]!.includes('100 B of 100 B'));
    assert.ok(out[2]!.includes('100 B of 100 B'), 'done() draws the last state');
    assert.equal(out[3], '\n');
    // a narrow terminal: the line is cut to its width
    const narrow: string[] = [];
    const n = copyProgress({}, { isTTY: true, columns: 30, write: (s: string) => narrow.push(s) }, () => 0)!;
    n.onProgress(p(1, 2));
    assert.equal(narrow[0], '\rcopying example.com/org/web:1\x1b[K');
  });

  it('writes nothing at all when no copy reported', () => {
    const out: string[] = [];
    copyProgress({}, { isTTY: true, write: (s: string) => out.push(s) })!.done();
    assert.deepEqual(out, []);
  });
});
