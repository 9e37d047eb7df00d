import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { LineEndingNormalizer, normalizeLineEndings } from '../../../src/core/intoto/record/line-endings.js';
import { checkedArtifactPath, checkLstripPrefixes, lstripArtifactPath, normalizeArtifactPath } from '../../../src/core/intoto/record/artifact-path.js';
import { DEFAULT_EXCLUDE_PATTERNS, ExcludeFilter, excludeFilterFor } from '../../../src/core/intoto/record/exclude-patterns.js';

/** The reference definition: whole-buffer CRLF -> LF, then CR -> LF. */
function reference(data: Buffer): Buffer {
  return Buffer.from(data.toString('latin1').replace(/\r\n/g, '\n').replace(/\r/g, '\n'), 'latin1');
}

describe('intoto record: line-ending normalization', () => {
  it('CRLF -> LF, then CR -> LF', () => {
    const cases = ['a\r\nb', 'a\rb', '\r\r\n', '\r\n\r', '\n\r', 'x', '', '\r', '\r\r', 'a\r\n\r\nb\r'];
    for (const c of cases) {
      assert.equal(Buffer.from(normalizeLineEndings(Buffer.from(c, 'latin1'))).toString('latin1'), reference(Buffer.from(c, 'latin1')).toString('latin1'), JSON.stringify(c));
    }
  });

  it('gives the whole-buffer result under every chunking (CR and CRLF split across chunks)', () => {
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    for (let round = 0; round < 300; round++) {
      const data = Buffer.from(Array.from({ length: rnd(64) }, () => [0x0d, 0x0a, 0x41, 0x0d][rnd(4)]!));
      const want = createHash('sha256').update(reference(data)).digest('hex');
      const n = new LineEndingNormalizer();
      const h = createHash('sha256');
      let i = 0;
      while (i < data.length) {
        const len = 1 + rnd(5);
        h.update(n.transform(data.subarray(i, i + len)));
        i += len;
      }
      assert.equal(h.digest('hex'), want, data.toString('hex'));
    }
  });

  it('returns the input itself when there is nothing to change', () => {
    const b = Buffer.from('no carriage returns\n');
    assert.equal(new LineEndingNormalizer().transform(b), b);
  });
});

describe('intoto record: artifact paths', () => {
  it('normalizes as os.path.normpath', () => {
    const cases: [string, string][] = [['./plain.txt', 'plain.txt'], ['sub/../crlf.txt', 'crlf.txt'], ['sub/deep/', 'sub/deep'], ['.', '.'], ['./', '.'], ['', '.'], ['a//b', 'a/b'], ['a/./b/.', 'a/b']];
    for (const [i, o] of cases) assert.equal(normalizeArtifactPath(i), o, i);
  });
  it('refuses paths outside the working directory with E_INTOTO_PATH', () => {
    for (const p of ['..', '../a', 'a/../../b', '/abs', 'a\0b']) {
      assert.throws(() => checkedArtifactPath(p), (e: { code?: string; subject?: string }) => e.code === 'E_INTOTO_PATH' && e.subject === p, p);
    }
    assert.equal(checkedArtifactPath('a/../b'), 'b');
    assert.equal(checkedArtifactPath('/abs/docs/x.pdf', ['/abs/docs/']), '/abs/docs/x.pdf', 'an lstrip prefix takes the outside part away');
    assert.throws(() => checkedArtifactPath('/abs/other', ['/abs/docs/']), (e: { code?: string }) => e.code === 'E_INTOTO_PATH');
    assert.throws(() => lstripArtifactPath('/abs/docs/../x', ['/abs/docs/'], {}), (e: { code?: string }) => e.code === 'E_INTOTO_PATH');
  });
  it('left-strips the first matching prefix and refuses collisions', () => {
    assert.equal(lstripArtifactPath('build/lib/foo.py', ['build/'], {}), 'lib/foo.py');
    assert.equal(lstripArtifactPath('src/x', ['build/'], {}), 'src/x');
    assert.throws(() => lstripArtifactPath('build/x', ['build/'], { x: 1 }), (e: { code?: string }) => e.code === 'E_INTOTO_PATH');
    assert.throws(() => checkLstripPrefixes(['a/', 'a/b/']), (e: { code?: string }) => e.code === 'E_INTOTO_PATH');
    checkLstripPrefixes(['a/', 'b/']);
  });
});

describe('intoto record: exclude patterns (gitwildmatch)', () => {
  it('defaults to in-toto 1.3.1 patterns, also for an empty list', () => {
    assert.deepEqual(excludeFilterFor(undefined).patterns, DEFAULT_EXCLUDE_PATTERNS);
    assert.deepEqual(excludeFilterFor([]).patterns, DEFAULT_EXCLUDE_PATTERNS);
    const f = excludeFilterFor(undefined);
    for (const p of ['a.link', 'x/step.link-unfinished', '.git', '.git/HEAD', 'sub/x.pyc', 'notes.txt~']) assert.ok(f.excludes(p), p);
    for (const p of ['plain.txt', 'git', 'linker']) assert.ok(!f.excludes(p), p);
  });
  it('directory patterns, anchoring, negated classes, last match wins', () => {
    const f = new ExcludeFilter(['build/', '/top.txt', '[!a]*.o', '*.md', '!README.md']);
    assert.ok(!f.excludes('build'));
    assert.ok(f.excludes('build/x'));
    assert.ok(f.excludes('top.txt'));
    assert.ok(!f.excludes('d/top.txt'));
    assert.ok(f.excludes('b.o') && !f.excludes('a.o'));
    assert.ok(f.excludes('x.md') && !f.excludes('README.md'));
    assert.ok(new ExcludeFilter(['*.txt']).excludes('deep/in/a.txt'));
    assert.ok(!new ExcludeFilter(['*.TXT']).excludes('a.txt'), 'case-sensitive');
  });
  it('refuses patterns that climb out or do not parse', () => {
    assert.throws(() => new ExcludeFilter(['../x']), (e: { code?: string }) => e.code === 'E_INTOTO_PATH');
    assert.throws(() => new ExcludeFilter(['x\\']), (e: { code?: string }) => e.code === 'E_INTOTO_PATH');
  });
  it('filter() sorts and deduplicates like python sorted(set(...))', () => {
    assert.deepEqual(new ExcludeFilter(['*.o']).filter(['b', 'a', 'a', 'c.o', 'B']), ['B', 'a', 'b']);
  });
});
