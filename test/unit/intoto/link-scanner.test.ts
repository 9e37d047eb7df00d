/**
 * The fast lane for links (`core/intoto/link-scanner.ts`) must be exactly the general path where it answers:
 * the same signing bytes, the same model, the same artifacts. Where the two could differ it must step aside
 * (return undefined) and leave the file to the general path. Checked on every link of the reference fixtures,
 * on links we write in in-toto's format, and on edits of them that the lane must refuse.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { scanLink } from '../../../src/core/intoto/link-scanner.js';
import { ArtifactTable, DictHashes, Sha256Words, linkArtifacts, linkWithTables } from '../../../src/core/intoto/artifact-table.js';
import { parseSignatures, signableBytes, type LinkModel } from '../../../src/core/intoto/metadata.js';
import { metadataFileText } from '../../../src/core/intoto/envelope.js';
import { loadMetablock, parseMetablockBytes } from '../../../src/core/intoto/verify.js';
import { intotoFixtures } from '../../helpers/fixtures.js';

const casesDir = path.join(intotoFixtures, 'cases');

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

type General = { kind: 'not-json' } | { kind: 'refused'; message: string } | { kind: 'link'; link: LinkModel; signed: Uint8Array };

/**
 * What the general path (`parseMetablockBytes`, the one `loadMetablock` falls back to) makes of a file: not JSON,
 * refused by the model (its message), or the link and its signing bytes.
 */
function general(bytes: Uint8Array): General {
  let m;
  try {
    m = parseMetablockBytes(bytes, 'test.link');
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === 'E_JSON_PARSE' || code === 'E_JSON_TOO_LARGE' ? { kind: 'not-json' } : { kind: 'refused', message: (e as Error).message };
  }
  if (m.signed.kind !== 'link') return { kind: 'refused', message: 'a layout' };
  try {
    return { kind: 'link', link: m.signed.link, signed: signableBytes(m.signed) };
  } catch (e) {
    return { kind: 'refused', message: (e as Error).message };
  }
}

/**
 * Assert that the lane, if it answers, answers exactly as the general path: the same signing bytes and model, or
 * (the lane leaves the `signatures` list to its caller, which checks it as the general parser does) the same
 * refusal of that list. Returns whether the lane answered.
 */
function agrees(bytes: Uint8Array, what: string): boolean {
  const fast = scanLink(bytes);
  if (fast === undefined) return false;
  const slow = general(bytes);
  assert.notEqual(slow.kind, 'not-json', `${what}: the lane took a file that is not JSON`);
  let signaturesRefused: string | undefined;
  try {
    parseSignatures(fast.signatures, 'test.link');
  } catch (e) {
    signaturesRefused = (e as Error).message;
  }
  if (slow.kind === 'refused') {
    assert.equal(signaturesRefused, slow.message, `${what}: the lane took a link the general path refuses`);
    return true;
  }
  assert.equal(signaturesRefused, undefined, what);
  if (slow.kind !== 'link') return true;
  assert.deepEqual(Buffer.from(fast.signedBytes), Buffer.from(slow.signed), `${what}: signing bytes`);
  assert.deepEqual(fast.materials.toDict(), slow.link.materials, `${what}: materials`);
  assert.deepEqual(fast.products.toDict(), slow.link.products, `${what}: products`);
  assert.equal(fast.name, slow.link.name, `${what}: name`);
  assert.deepEqual(fast.command, slow.link.command, `${what}: command`);
  assert.deepEqual(fast.byproducts, slow.link.byproducts, `${what}: byproducts`);
  assert.deepEqual(fast.environment, slow.link.environment, `${what}: environment`);
  return true;
}

const HEX64 = (n: number): string => n.toString(16).padStart(8, '0').repeat(8);

function linkText(overrides: Partial<LinkModel> = {}, signatures = [{ keyid: 'ab12', sig: 'cd34' }]): string {
  const model: LinkModel = {
    _type: 'link',
    byproducts: { 'return-value': 0, stderr: '', stdout: 'built 3 files' },
    command: ['make', 'all'],
    environment: {},
    materials: { 'src/a.c': { sha256: HEX64(1) }, 'src/b.c': { sha256: HEX64(2) } },
    name: 'build',
    products: { 'bin/app': { sha256: HEX64(3) }, 'src/a.c': { sha256: HEX64(1) } },
    ...overrides,
  };
  return metadataFileText({ signatures, signed: model });
}

describe('core/intoto: the fast lane for links', () => {
  it('agrees with the general path on every link of the reference fixtures, and takes those in-toto wrote', () => {
    let links = 0;
    let taken = 0;
    for (const c of readdirSync(casesDir)) {
      for (const f of readdirSync(path.join(casesDir, c))) {
        if (!f.endsWith('.link')) continue;
        links++;
        if (agrees(readFileSync(path.join(casesDir, c, f)), `${c}/${f}`)) taken++;
      }
    }
    assert.ok(links >= 30, `found ${links} links`);
    // A few fixtures are edited on purpose (an extra member, raw JSON); the rest are in-toto's own files.
    assert.ok(taken >= links - 4, `the lane took ${taken} of ${links} links`);
  });

  it('takes links in in-toto format and agrees, whatever the whitespace', () => {
    const text = linkText();
    assert.ok(agrees(enc(text), 'in-toto format'));
    assert.ok(agrees(enc(JSON.stringify(JSON.parse(text))), 'compact'));
    assert.ok(agrees(enc(text.replace(/\n/g, '\r\n\t')), 'CRLF and tabs'));
    assert.ok(agrees(enc(`\n ${text} \n`), 'surrounding whitespace'));
    assert.ok(agrees(enc(linkText({ materials: {}, products: {}, name: null, command: [] })), 'empty artifacts, null name'));
    assert.ok(agrees(enc(linkText({ byproducts: { 'return-value': -12, nested: { a: [1, true, null, false, 'x'] } } })), 'nested byproducts'));
    assert.ok(agrees(enc(linkText({}, [])), 'no signatures'));
    const escaped = linkText({ byproducts: { stderr: 'line 1\nline 2\ttab\r\b\f/ \u0001 ~' } });
    assert.ok(escaped.includes('\\n') && escaped.includes('\\u0001'), 'the file has escapes');
    assert.ok(agrees(enc(escaped), 'escaped ASCII'));
    assert.ok(agrees(enc(escaped.replace('line 1', 'line\\u0020\\u00411').replace('/ ', '\\/ ')), 'escapes the writer did not need'));
    const many: LinkModel['materials'] = {};
    for (let i = 0; i < 500; i++) many[`data/f${String(i).padStart(4, '0')}.txt`] = { sha256: HEX64(i * 7919) };
    assert.ok(agrees(enc(linkText({ materials: many, products: many })), '500 artifacts'));
  });

  it('steps aside for every file where its answer could differ from the general path', () => {
    const base = linkText();
    const edits: [string, string][] = [
      ['a repeated key', base.replace('"_type": "link",', '"_type": "link",\n  "_type": "link",')],
      ['keys out of order', base.replace('"command": [', '"zzz": 1,\n  "command": [')],
      ['an extra member', base.replace('"name": "build",', '"name": "build",\n  "other": 1,')],
      ['a missing member', base.replace('"environment": {},', '')],
      ['a layout', base.replace('"_type": "link"', '"_type": "layout"')],
      ['whitespace inside a literal', base.replace('"return-value": 0', '"return-value": 1 2')],
      ['trailing content', `${base} {}`],
      ['a NUL byte', base.replace('built', 'bu\0ilt')],
      ['a fraction', base.replace('"return-value": 0', '"return-value": 0.5')],
      ['an exponent', base.replace('"return-value": 0', '"return-value": 1e3')],
      ['negative zero', base.replace('"return-value": 0', '"return-value": -0')],
      ['a leading zero', base.replace('"return-value": 0', '"return-value": 01')],
      ['a 16-digit integer', base.replace('"return-value": 0', '"return-value": 1234567890123456')],
      ['an escaped quote', base.replace('built 3 files', 'built \\"3\\" files')],
      ['an escaped backslash', base.replace('built 3 files', 'built\\\\3 files')],
      ['an escaped non-ASCII character', base.replace('built 3 files', 'built \\u00e9')],
      ['a bad escape', base.replace('built 3 files', 'built \\x41')],
      ['a raw control character in a string', base.replace('built 3 files', 'built\t3 files')],
      ['non-ASCII', base.replace('built 3 files', 'gebaut: 3 Dateien ✓')],
      ['a byte-order mark', `\ufeff${base}`],
      ['a __proto__ key', base.replace('"return-value": 0', '"__proto__": 0, "return-value": 0')],
      ['a path climbing out', base.replace('"src/b.c"', '"src/../../b.c"')],
      ['an absolute path', base.replace('"src/b.c"', '"/src/b.c"')],
      ['a drive path', base.replace('"src/b.c"', '"c:src/b.c"')],
      ['paths out of order', base.replace('"src/a.c"', '"src/z.c"')],
      ['uppercase hex', base.replace(HEX64(2), HEX64(2).replace(/0/g, 'A'))],
      ['a short digest', base.replace(HEX64(2), 'abcd')],
      ['another algorithm', base.replace('"sha256": "' + HEX64(2), '"sha512": "' + HEX64(2))],
      ['two digests', base.replace('"sha256": "' + HEX64(2) + '"', '"sha256": "' + HEX64(2) + '",\n   "sha512": "ab"')],
      ['a wrong type', base.replace(/"command": \[[^\]]*\]/, '"command": "make"')],
      ['a wrong type in a list', base.replace('"make"', '7')],
      ['truncated', base.slice(0, base.length - 5)],
      ['not JSON', 'nonsense'],
    ];
    for (const [what, text] of edits) {
      assert.notEqual(text, base, `${what}: the edit applies`);
      assert.equal(scanLink(enc(text)), undefined, what);
    }
    // Deep nesting leaves the lane instead of recursing without bound.
    assert.equal(scanLink(enc(base.replace('"environment": {}', `"environment": {"a": ${'['.repeat(100)}${']'.repeat(100)}}`))), undefined);
  });

  it('random edits of a link: the lane either steps aside or agrees with the general path (2,000 cases, fixed seed)', () => {
    // A small deterministic generator (xorshift32), so a failure reproduces.
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const alphabet = ['"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\n', '\t', '0', '1', '-', '.', 'e', 'a', 'f', 'n', 'u', 't', '/', '\u0000', '\u00e9', 'x'];
    const base = linkText({ byproducts: { 'return-value': 0, stderr: 'a\nb', stdout: '' } });
    let taken = 0;
    for (let i = 0; i < 2000; i++) {
      let text = base;
      for (let edits = 1 + rand(3); edits > 0; edits--) {
        const at = rand(text.length);
        const kind = rand(3);
        const piece = alphabet[rand(alphabet.length)]!;
        text = kind === 0 ? text.slice(0, at) + piece + text.slice(at) : kind === 1 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + piece + text.slice(at + 1);
      }
      if (agrees(enc(text), `case ${i}: ${JSON.stringify(text)}`)) taken++;
    }
    // Edits inside whitespace or inside a string keep the link readable: some cases must take the lane.
    assert.ok(taken > 100, `the lane took ${taken} of 2000 edited links`);
  });

  it('loadMetablock gives the same metablock through either path', () => {
    const bytes = enc(linkText());
    const m = loadMetablock(bytes, 'build.ab12cd34.link');
    assert.equal(m.signed.kind, 'link');
    const link = m.signed.kind === 'link' ? m.signed.link : undefined;
    const slow = general(bytes);
    assert.equal(slow.kind, 'link');
    assert.deepEqual(JSON.parse(JSON.stringify(link)), JSON.parse(JSON.stringify(slow.kind === 'link' ? slow.link : undefined)));
    assert.deepEqual(m.signatures, [{ keyid: 'ab12', sig: 'cd34' }]);
  });
});

describe('core/intoto: artifact tables', () => {
  const dict = { 'a.txt': { sha256: HEX64(1) }, 'b.txt': { sha256: HEX64(2) }, 'c.txt': { sha256: HEX64(3), sha512: 'ff' } };

  it('finds paths by bisection in a sorted table and by index in an unsorted one', () => {
    const sorted = ArtifactTable.fromDict(dict);
    assert.equal(sorted.sorted, true);
    assert.deepEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt', ''].map((p) => sorted.indexOf(p)), [0, 1, 2, -1, -1]);
    const unsorted = ArtifactTable.fromDict({ 'z.txt': dict['a.txt'], 'a.txt': dict['b.txt'] });
    assert.equal(unsorted.sorted, false);
    assert.deepEqual(['z.txt', 'a.txt', 'q'].map((p) => unsorted.indexOf(p)), [0, 1, -1]);
    assert.equal(unsorted.indexOf('a.txt', 1), 1);
  });

  it('compares hashes as Python compares dicts, across packed and dictionary forms', () => {
    const words = new Int32Array(16);
    words.fill(0x00000001, 0, 8);
    words.fill(0x00000002, 8, 16);
    const packed = new ArtifactTable(['a.txt', 'b.txt'], new Sha256Words(words), true);
    assert.deepEqual(packed.toDict(), { 'a.txt': dict['a.txt'], 'b.txt': dict['b.txt'] });
    const plain = ArtifactTable.fromDict(dict);
    assert.ok(packed.sameHashes(0, plain, 0));
    assert.ok(plain.sameHashes(1, packed, 1));
    assert.ok(!packed.sameHashes(0, plain, 1));
    assert.ok(!plain.sameHashes(2, packed, 0), 'an extra algorithm makes the dicts differ');
    assert.ok(packed.equals(ArtifactTable.fromDict({ 'a.txt': dict['a.txt'], 'b.txt': dict['b.txt'] })));
    assert.ok(!packed.equals(plain));
    const high = new Int32Array(8).fill(-1);
    assert.equal(new Sha256Words(high).hex(0), 'f'.repeat(64));
    assert.ok(!new ArtifactTable(['x'], new DictHashes([{ sha256: 'F'.repeat(64) }]), true).sameHashes(0, new ArtifactTable(['x'], new Sha256Words(high), true), 0), 'hex case matters');
  });

  it('a link made from tables reads as dictionaries only when asked, and keeps its tables', () => {
    const t = ArtifactTable.fromDict(dict);
    const link = linkWithTables({ _type: 'link', name: 'x', byproducts: {}, command: [], environment: {} }, t, ArtifactTable.EMPTY);
    assert.equal(linkArtifacts(link, 'materials'), t);
    assert.deepEqual(link.materials, dict);
    assert.deepEqual(JSON.parse(JSON.stringify(link)).products, {});
    link.materials = {};
    assert.equal(linkArtifacts(link, 'materials').size, 0);
  });
});
