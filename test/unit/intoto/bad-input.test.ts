/** Bad layouts and links: each a clear error with its code, never a crash. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Buffer } from 'node:buffer';
import { parseMetablock } from '../../../src/core/intoto/metadata.js';
import { loadMetablock, verifySupplyChain } from '../../../src/core/intoto/verify.js';
import { parseLinkFileName } from '../../../src/core/intoto/paths.js';
import { parsePublicKeyFile } from '../../../src/core/crypto/key-files.js';
import { CnabTrustError } from '../../../src/core/errors.js';
import { intotoFixtures } from '../../helpers/fixtures.js';
import { errorOf } from '../../helpers/errors.js';
import { decodeMetadata } from '../../../src/core/intoto/json.js';
import { JsonFloat } from '../../../src/core/json/parse.js';

const demo = path.join(intotoFixtures, 'cases/demo-pass');
const layoutJson = (): Record<string, any> => JSON.parse(readFileSync(path.join(demo, 'root.layout'), 'utf8')); // eslint-disable-line @typescript-eslint/no-explicit-any
const linkJson = (): Record<string, any> => JSON.parse(readFileSync(path.join(demo, 'package.5b000b04.link'), 'utf8')); // eslint-disable-line @typescript-eslint/no-explicit-any

describe('core/intoto: bad input gives a code, never a crash', () => {
  it('not JSON', () => {
    const e = errorOf(() => loadMetablock(Buffer.from('{"signed": '), 'x.link'));
    assert.equal(e.code, 'E_JSON_PARSE');
    assert.equal(e.subject, 'x.link');
    assert.equal(errorOf(() => loadMetablock(Buffer.from([0xff, 0xfe]), 'y.link')).code, 'E_JSON_PARSE');
  });

  it('a UTF-8 byte order mark before the JSON is not JSON (python json.load refuses it: in-toto 1.3.1 fails)', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    for (const file of ['package.5b000b04.link', 'root.layout']) {
      const bytes = Buffer.concat([bom, readFileSync(path.join(demo, file))]);
      assert.equal(errorOf(() => loadMetablock(bytes, file)).code, 'E_JSON_PARSE', file);
    }
  });

  it('wrong types', () => {
    const l = layoutJson();
    l['signed']['steps'][0]['threshold'] = '1';
    assert.equal(errorOf(() => parseMetablock(l, 'root.layout')).code, 'E_INTOTO_INVALID');
    const k = linkJson();
    k['signed']['materials'] = ['foo.py'];
    const e = errorOf(() => parseMetablock(k, 'p.link'));
    assert.equal(e.code, 'E_INTOTO_INVALID');
    assert.match(e.message, /\$\.signed\.materials/);
    const h = linkJson();
    h['signed']['products']['foo.tar.gz'] = { sha256: 'not hex' };
    assert.equal(errorOf(() => parseMetablock(h, 'p.link')).code, 'E_INTOTO_INVALID');
    assert.equal(errorOf(() => parseMetablock([], 'p.link')).code, 'E_INTOTO_INVALID');
    assert.equal(errorOf(() => parseMetablock({ signed: {}, signatures: {} }, 'p.link')).code, 'E_INTOTO_INVALID');
    const x = layoutJson();
    x['signed']['expires'] = '2099-02-30T00:00:00Z';
    assert.equal(errorOf(() => parseMetablock(x, 'root.layout')).code, 'E_INTOTO_INVALID');
  });

  it('unknown _type', () => {
    const k = linkJson();
    k['signed']['_type'] = 'statement';
    assert.equal(errorOf(() => parseMetablock(k, 'p.link')).code, 'E_INTOTO_INVALID');
  });

  it('a rule that does not parse, naming the step', () => {
    const l = layoutJson();
    l['signed']['steps'][1]['expected_materials'][0] = ['MATCH', 'foo.py', 'WITH', 'PRODUCTS', 'FORM', 'write-code'];
    const e = errorOf(() => parseMetablock(l, 'root.layout'));
    assert.equal(e.code, 'E_INTOTO_INVALID');
    assert.match(e.message, /step 'package'/);
    assert.match(e.message, /FORM/);
  });

  it('a non-hex signature', () => {
    const k = linkJson();
    k['signatures'][0]['sig'] = 'xyz';
    assert.equal(errorOf(() => parseMetablock(k, 'p.link')).code, 'E_INTOTO_INVALID');
  });

  it('a layout key whose keyid does not match the key', () => {
    const l = layoutJson();
    const keys = l['signed']['keys'];
    const [id] = Object.keys(keys);
    keys[id!]['keyid'] = '0'.repeat(64);
    assert.equal(errorOf(() => parseMetablock(l, 'root.layout')).code, 'E_KEYID_MISMATCH');
    const m = layoutJson();
    const mk = m['signed']['keys'];
    const [first] = Object.keys(mk);
    mk['0'.repeat(64)] = { ...mk[first!], keyid: '0'.repeat(64) };
    assert.equal(errorOf(() => parseMetablock(m, 'root.layout')).code, 'E_KEYID_MISMATCH');
  });

  it('a link file name that is not <step>.<8 hex>.link', () => {
    assert.deepEqual(parseLinkFileName('package.5b000b04.link'), { step: 'package', keyidPrefix: '5b000b04' });
    for (const n of ['package.link', 'package.5b00.link', 'package.5B000B04.link', 'package.5b000b04.json', '.5b000b04.link']) {
      assert.equal(errorOf(() => parseLinkFileName(n)).code, 'E_INTOTO_INVALID', n);
    }
  });

  it('paths and names that climb out of the working directory', () => {
    const k = linkJson();
    k['signed']['products']['../../etc/passwd'] = { sha256: 'aa' };
    assert.equal(errorOf(() => parseMetablock(k, 'p.link')).code, 'E_INTOTO_PATH');
    const l = layoutJson();
    l['signed']['steps'][0]['name'] = '../write-code';
    assert.equal(errorOf(() => parseMetablock(l, 'root.layout')).code, 'E_INTOTO_PATH');
    const r = layoutJson();
    r['signed']['inspect'][0]['expected_products'][2] = ['ALLOW', '/etc/*'];
    assert.equal(errorOf(() => parseMetablock(r, 'root.layout')).code, 'E_INTOTO_PATH');
  });

  it('a link that fails to load fails the verification with the file named (as the reference does)', async () => {
    const files: Record<string, Buffer> = {
      'write-code.96f74413.link': readFileSync(path.join(demo, 'write-code.96f74413.link')),
      'package.5b000b04.link': Buffer.from('not json'),
    };
    const layout = loadMetablock(readFileSync(path.join(demo, 'root.layout')), 'root.layout');
    const key = parsePublicKeyFile(readFileSync(path.join(demo, 'alice.pub')), 'alice.pub');
    await assert.rejects(
      verifySupplyChain({ layout, layoutKeys: [key], links: { read: async (_d, n) => files[n] }, now: new Date('2030-01-01T00:00:00Z') }),
      (e: unknown) => e instanceof CnabTrustError && e.code === 'E_JSON_PARSE' && e.subject === 'package.5b000b04.link',
    );
    // the layout's expiry comes from the injected clock
    await assert.rejects(
      verifySupplyChain({ layout, layoutKeys: [key], links: { read: async () => undefined }, now: new Date('2100-01-01T00:00:00Z') }),
      (e: unknown) => e instanceof CnabTrustError && e.code === 'E_INTOTO_LAYOUT_EXPIRED',
    );
    // a float in signed metadata cannot be canonicalized: the link is refused, not crashed on
    const floaty = linkJson();
    floaty['signed']['byproducts']['return-value'] = 0.5;
    files['package.5b000b04.link'] = Buffer.from(JSON.stringify(floaty));
    await assert.rejects(
      verifySupplyChain({ layout, layoutKeys: [key], links: { read: async (_d, n) => files[n] }, now: new Date('2030-01-01T00:00:00Z') }),
      (e: unknown) => e instanceof CnabTrustError && e.code === 'E_CANONICAL_FLOAT',
    );
  });

  it('numbers as in-toto 1.3.1 reads them: a fraction or an exponent makes a float, integers beyond 2^53 stay exact', () => {
    const { value } = decodeMetadata(Buffer.from('{"a": 0.0, "b": 1E2, "c": 12345678901234567890, "d": [-9007199254740993, 7], "e": "0.5 1e3 12345678901234567890"}'), 'x');
    const v = value as Record<string, unknown>;
    assert.ok(v['a'] instanceof JsonFloat && v['a'].raw === '0.0');
    assert.ok(v['b'] instanceof JsonFloat && v['b'].raw === '1E2');
    assert.equal(v['c'], 12345678901234567890n);
    assert.deepEqual(v['d'], [-9007199254740993n, 7]);
    assert.equal(v['e'], '0.5 1e3 12345678901234567890');
    for (const bad of ['{"a": 01.5}', '{"a": 1.}', '{"a": .5}', '{"a": 1.5.3}', '{"a": -}']) {
      assert.equal(errorOf(() => decodeMetadata(Buffer.from(bad), 'x')).code, 'E_JSON_PARSE', bad);
    }
  });

  it('a link whose return value is written 0.0 is refused (python cannot canonicalize a float), though its signature covers 0', async () => {
    const layout = loadMetablock(readFileSync(path.join(demo, 'root.layout')), 'root.layout');
    const key = parsePublicKeyFile(readFileSync(path.join(demo, 'alice.pub')), 'alice.pub');
    const text = readFileSync(path.join(demo, 'package.5b000b04.link'), 'utf8');
    const files: Record<string, Buffer> = {
      'write-code.96f74413.link': readFileSync(path.join(demo, 'write-code.96f74413.link')),
      'package.5b000b04.link': Buffer.from(text.replace('"return-value": 0', '"return-value": 0.0')),
    };
    await assert.rejects(
      verifySupplyChain({ layout, layoutKeys: [key], links: { read: async (_d, n) => files[n] }, now: new Date('2030-01-01T00:00:00Z') }),
      (e: unknown) => e instanceof CnabTrustError && e.code === 'E_CANONICAL_FLOAT',
    );
    // and a threshold written 1.0 is not an integer (1.3.1: isinstance(threshold, int))
    const l = readFileSync(path.join(demo, 'root.layout'), 'utf8').replace('"threshold": 1', '"threshold": 1.0');
    assert.equal(errorOf(() => loadMetablock(Buffer.from(l), 'root.layout')).code, 'E_INTOTO_INVALID');
  });
});
