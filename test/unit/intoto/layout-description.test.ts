import assert from 'node:assert/strict';
import { parseLayoutDescription } from '../../../src/core/intoto/authoring/layout-description.js';
import { buildLayoutModel } from '../../../src/core/intoto/authoring/build-layout.js';
import { shellWords } from '../../../src/core/intoto/authoring/shell-words.js';
import type { SslibPublicKey } from '../../../src/core/crypto/keys.js';

const GOOD = `expires: 30d
readme: demo
steps:
  - name: write-code
    functionaries: keys/bob.pub
    products: [CREATE foo.py, DISALLOW *]
  - name: package
    functionaries: [keys/carl.pub, keys/dave.pub]
    threshold: 2
    command: tar zcvf foo.tar.gz foo.py
    materials:
      - MATCH foo.py WITH PRODUCTS FROM write-code
      - DISALLOW *
    products: [CREATE foo.tar.gz, "ALLOW 'a file.txt'", [DISALLOW, "*"]]
inspections:
  - name: untar
    run: [tar, xzf, foo.tar.gz]
    materials: [MATCH foo.tar.gz WITH PRODUCTS FROM package]
`;

/** The E_INTOTO_DESCRIPTION error of parsing `text`, checked to name `desc.yaml:<line>`. */
function errorAt(text: string, line: number, ...fragments: string[]): void {
  assert.throws(
    () => parseLayoutDescription(text, 'desc.yaml'),
    (e: { code?: string; message: string; subject?: string }) => {
      assert.equal(e.code, 'E_INTOTO_DESCRIPTION', e.message);
      assert.equal(e.subject, `desc.yaml:${line}`, e.message);
      for (const f of fragments) assert.ok(e.message.includes(f), `${e.message} lacks ${f}`);
      return true;
    },
  );
}

function withLine(n: number, replacement: string): string {
  const lines = GOOD.split('\n');
  lines[n - 1] = replacement;
  return lines.join('\n');
}

describe('intoto layout description', () => {
  it('reads the short form: strings or lists, rules split like a shell', () => {
    const d = parseLayoutDescription(GOOD, 'desc.yaml');
    assert.equal('days' in d.expires && d.expires.days, 30);
    assert.equal(d.steps.length, 2);
    assert.deepEqual(d.steps[1]!.command, ['tar', 'zcvf', 'foo.tar.gz', 'foo.py']);
    assert.equal(d.steps[1]!.threshold, 2);
    assert.deepEqual(d.steps[1]!.products.map((r) => r.words), [['CREATE', 'foo.tar.gz'], ['ALLOW', 'a file.txt'], ['DISALLOW', '*']]);
    assert.equal(d.steps[1]!.materials[0]!.at.line, 12);
    assert.deepEqual(d.inspections[0]!.run, ['tar', 'xzf', 'foo.tar.gz']);
  });

  it('builds the layout model: keys, pubkeys, rules, expiry from the clock', () => {
    const d = parseLayoutDescription(GOOD, 'desc.yaml');
    const key = (id: string): SslibPublicKey => ({ keyid: id.repeat(64).slice(0, 64), keytype: 'ed25519', scheme: 'ed25519', keyval: { public: 'ab' }, keyid_hash_algorithms: ['sha256', 'sha512'] });
    const ids: Record<string, string> = { 'keys/bob.pub': 'b', 'keys/carl.pub': 'c', 'keys/dave.pub': 'd' };
    const m = buildLayoutModel(d, (ref) => key(ids[ref.file]!), new Date('2030-01-01T00:00:00.123Z'));
    assert.equal(m.expires, '2030-01-31T00:00:00Z');
    assert.deepEqual(Object.keys(m.keys).sort(), ['b', 'c', 'd'].map((x) => x.repeat(64)));
    assert.deepEqual(m.steps[1]!.pubkeys, ['c'.repeat(64), 'd'.repeat(64)]);
    assert.deepEqual(m.steps[1]!.expected_materials, [['MATCH', 'foo.py', 'WITH', 'PRODUCTS', 'FROM', 'write-code'], ['DISALLOW', '*']]);
    assert.equal(m.readme, 'demo');
  });

  it('refuses an expiry that is not in the future, at its line', () => {
    const d = parseLayoutDescription(withLine(1, 'expires: 2020-01-01T00:00:00Z'), 'desc.yaml');
    assert.throws(
      () => buildLayoutModel(d, () => ({ keyid: 'a'.repeat(64), keytype: 'ed25519', scheme: 'ed25519', keyval: { public: 'ab' } }), new Date('2030-01-01T00:00:00Z')),
      (e: { code?: string; subject?: string }) => e.code === 'E_INTOTO_DESCRIPTION' && e.subject === 'desc.yaml:1',
    );
    errorAt(withLine(1, 'expires: 0d'), 1, 'expire at once');
  });

  it('points at the line of a MATCH naming an unknown step (with a suggestion)', () => {
    errorAt(withLine(12, '      - MATCH foo.py WITH PRODUCTS FROM write-cod'), 12, "unknown step 'write-cod'", "did you mean 'write-code'");
    errorAt(withLine(12, '      - MATCH foo.py WITH PRODUCTS FROM untar'), 12, "names inspection 'untar'");
  });

  it('points at the line of a misspelt rule keyword, field, or MATCH word', () => {
    errorAt(withLine(13, '      - DISALOW *'), 13, "unknown rule keyword 'DISALOW'", "did you mean 'DISALLOW'");
    errorAt(withLine(12, '      - MATCH foo.py WITH PRODUCT FROM write-code'), 12, "did you mean 'PRODUCTS'");
    errorAt(withLine(9, '    thresold: 2'), 9, "unknown field 'thresold'", "did you mean 'threshold'");
    errorAt(withLine(12, '      - MATCH foo.py PRODUCTS write-code'), 12, 'does not parse');
  });

  it('points at a step without functionaries, an empty key file, a threshold too high', () => {
    errorAt(withLine(5, '    readme: x'), 5, "unknown field 'readme' in step 1");
    errorAt(GOOD.replace('    functionaries: keys/bob.pub\n', ''), 4, "step 'write-code' has no functionaries");
    errorAt(withLine(8, '    functionaries: [keys/carl.pub, ""]'), 8, 'has no key file');
    errorAt(withLine(9, '    threshold: 3'), 9, 'threshold 3', 'more than its 2 functionaries');
    errorAt(withLine(9, '    threshold: two'), 9, 'whole number');
  });

  it('points at repeated names, names that cannot be file names, paths that climb out', () => {
    errorAt(withLine(7, '  - name: write-code'), 7, "already used at line 4");
    errorAt(withLine(7, '  - name: ../x'), 7, 'cannot be used');
    errorAt(withLine(13, '      - ALLOW ../secret'), 13, 'climbs out');
  });

  it('reports YAML syntax errors, bad expiry and missing steps with their line', () => {
    errorAt('steps: []\nreadme: a\nreadme: b\n', 3, 'not valid YAML/JSON');
    errorAt(withLine(1, 'expires: soon'), 1, "expires 'soon'");
    errorAt(withLine(1, 'expires: 2030-02-30T00:00:00Z'), 1, 'expires');
    errorAt('readme: x\n', 1, 'no `steps:`');
    errorAt('', 1, 'empty');
  });

  it('reads the same description written as JSON, with lines', () => {
    const json = JSON.stringify({ steps: [{ name: 'a', functionaries: ['k.pub'], products: ['CREATE x'] }, { name: 'b', functionaries: ['k.pub'], materials: ['MATCH x WITH PRODUCTS FROM c'] }] }, null, 2);
    const line = json.split('\n').findIndex((l) => l.includes('FROM c')) + 1;
    errorAt(json, line, "unknown step 'c'");
  });

  it('splits words like shlex', () => {
    assert.deepEqual(shellWords(`a 'b c' "d \\"e\\"" f\\ g`), ['a', 'b c', 'd "e"', 'f g']);
    assert.deepEqual(shellWords('  '), []);
    assert.throws(() => shellWords("'open"));
  });
});
