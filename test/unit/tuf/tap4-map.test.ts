import assert from 'node:assert/strict';
import { decideConsensus, mappingsFor, parseMapFile, type RepositoryAnswer } from '../../../src/core/tuf/tap4-map.js';
import { CnabTrustError } from '../../../src/core/errors.js';

const map = {
  repositories: { A: ['http://127.0.0.1:1/'], B: ['/srv/b', 'http://mirror/b'] },
  mapping: [
    { paths: ['example.com/org/*:*'], repositories: ['A', 'B'], threshold: 2, terminating: true },
    { paths: ['*'], repositories: ['B'] },
  ],
};

describe('core/tuf/tap4-map', () => {
  it('parses a TAP 4 map file, defaulting threshold 1 and terminating false', () => {
    const m = parseMapFile(map);
    assert.deepEqual(m.mapping[1], { paths: ['*'], repositories: ['B'], threshold: 1, terminating: false });
    assert.deepEqual(m.repositories.B, ['/srv/b', 'http://mirror/b']);
  });

  it('refuses malformed map files with E_TUF_MAP_INVALID naming the JSON path', () => {
    const bad: Array<[unknown, RegExp]> = [
      [[], /\$ must be an object/],
      [{ ...map, repositories: {} }, /names no repository/],
      [{ ...map, repositories: { '../x': ['u'] } }, /not a valid repository name/],
      [{ ...map, repositories: { A: [] } }, /non-empty list of URLs/],
      [{ ...map, mapping: [{ paths: ['*'], repositories: ['C'] }] }, /unknown repository "C"/],
      [{ ...map, mapping: [{ paths: ['*'], repositories: ['A'], threshold: 2 }] }, /threshold must be an integer from 1 to 1/],
      [{ ...map, mapping: [{ paths: ['*'], repositories: ['A', 'A'] }] }, /twice/],
      [{ ...map, mapping: [{ paths: [], repositories: ['A'] }] }, /paths must be a non-empty list/],
      [{ ...map, mapping: [{ paths: ['*'], repositories: ['A'], terminating: 'yes' }] }, /terminating must be true or false/],
    ];
    for (const [value, message] of bad) {
      assert.throws(() => parseMapFile(value), (e: unknown) => e instanceof CnabTrustError && e.code === 'E_TUF_MAP_INVALID' && message.test(e.message));
    }
  });

  it('selects matching mappings in order, with fnmatch patterns ("*" is a catch-all, crossing /)', () => {
    const m = parseMapFile(map);
    assert.deepEqual(mappingsFor(m, 'example.com/org/app:1.0').map((x) => x.index), [0, 1]);
    assert.deepEqual(mappingsFor(m, 'example.com/org/deep/app:1.0').map((x) => x.index), [0, 1]);
    assert.deepEqual(mappingsFor(m, 'example.com/other/app:1.0').map((x) => x.index), [1]);
    assert.deepEqual(mappingsFor(m, 'other:1').map((x) => x.index), [1]);
  });

  const t = (sha: string, length = 10, custom?: string) => ({ length, hashes: { sha256: sha }, custom });
  it('agrees when a threshold of repositories sign the same length and hashes (custom exempt)', () => {
    const answers: RepositoryAnswer<ReturnType<typeof t>>[] = [
      { repository: 'A', kind: 'found', target: t('aa', 10, 'x') },
      { repository: 'B', kind: 'found', target: t('aa', 10, 'y') },
    ];
    const c = decideConsensus(answers, 2);
    assert.ok(c.agreed);
    assert.deepEqual(c.repositories, ['A', 'B']);
  });

  it('does not agree on different hashes, different lengths or too few signers', () => {
    assert.deepEqual(
      decideConsensus([{ repository: 'A', kind: 'found', target: t('aa') }, { repository: 'B', kind: 'found', target: t('bb') }], 2),
      { agreed: false, reason: 'disagree', groups: [['A'], ['B']] },
    );
    assert.equal(decideConsensus([{ repository: 'A', kind: 'found', target: t('aa', 10) }, { repository: 'B', kind: 'found', target: t('aa', 11) }], 2).agreed, false);
    assert.deepEqual(decideConsensus([{ repository: 'A', kind: 'found', target: t('aa') }, { repository: 'B', kind: 'not-found' }], 2), {
      agreed: false,
      reason: 'unsigned',
      groups: [['A']],
    });
    // no shared hash algorithm: no agreement
    assert.equal(
      decideConsensus([{ repository: 'A', kind: 'found', target: { length: 1, hashes: { sha256: 'a' } } }, { repository: 'B', kind: 'found', target: { length: 1, hashes: { sha512: 'a' } } }], 2).agreed,
      false,
    );
  });
});
