import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { olpcCanonicalBytes, olpcCanonicalString, compareCodePoints } from '../../../src/core/canonical/olpc.js';
import { CnabTrustError } from '../../../src/core/errors.js';
import { intotoFixtures } from '../../helpers/fixtures.js';

import { JsonFloat, parseJson } from '../../../src/core/json/index.js';

/**
 * Parse a vector's `input_json` without losing what the reference saw: `JSON.parse` would turn `1.0` into the
 * integer 1 (which the encoder would then accept) and 12345678901234567890 into a rounded double. So before
 * parsing, every number token outside strings is rewritten: a literal with a fraction or exponent becomes
 * `{"$float": "<raw>"}`, an integer beyond 2^53 `{"$bigint": "<raw>"}`; the reviver turns those into the
 * strict parser's JsonFloat marker and a bigint, the two forms the encoder is specified to take. (The strict
 * parser itself marks `1.0` — checked below — but has no bigint form.)
 */
function parseVectorInput(text: string): unknown {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i))!;
      const raw = m[0];
      if (m[1] !== undefined || m[2] !== undefined) out += JSON.stringify({ $float: raw });
      else if (!Number.isSafeInteger(Number(raw))) out += JSON.stringify({ $bigint: raw });
      else out += raw;
      i += raw.length;
    } else {
      out += c;
      i++;
    }
  }
  return JSON.parse(out, (_k, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const o = v as Record<string, string>;
      if (typeof o['$float'] === 'string') return new JsonFloat(Number(o['$float']), o['$float']);
      if (typeof o['$bigint'] === 'string') return BigInt(o['$bigint']);
    }
    return v;
  });
}

interface Vector {
  input_json: string;
  canonical_utf8?: string;
  canonical_hex?: string;
  sha256?: string;
  error?: string;
}

describe('core/canonical/olpc', () => {
  const vectors = (JSON.parse(readFileSync(path.join(intotoFixtures, 'vectors/canonical.json'), 'utf8')) as { vectors: Vector[] }).vectors;

  for (const v of vectors) {
    it(`reference vector ${v.input_json.slice(0, 50)}`, () => {
      const input = parseVectorInput(v.input_json);
      if (v.error !== undefined) {
        assert.throws(
          () => olpcCanonicalBytes(input),
          (e: unknown) => e instanceof CnabTrustError && e.code === 'E_CANONICAL_FLOAT',
        );
        return;
      }
      const bytes = olpcCanonicalBytes(input);
      assert.equal(bytes.toString('hex'), v.canonical_hex);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), v.sha256);
    });
  }

  it('refuses 1.0 as the strict parser marks it (markFloats)', () => {
    const v = parseJson('{"float_int": 1.0}', { markFloats: true });
    assert.throws(
      () => olpcCanonicalBytes(v),
      (e: unknown) => e instanceof CnabTrustError && e.code === 'E_CANONICAL_FLOAT',
    );
  });

  it('orders array-index-like keys by code point ("10" before "9"), unlike JSON.stringify', () => {
    assert.equal(olpcCanonicalString({ '9': 1, '10': 2, a: 3 }), '{"10":2,"9":1,"a":3}');
  });

  it('sorts astral-plane keys after U+FFFF (code points, not UTF-16 units)', () => {
    assert.ok(compareCodePoints('\uffff', '\ud83d\ude00') < 0);
    assert.ok(compareCodePoints('\ud83d\ude00', '\uffff') > 0);
    assert.ok(compareCodePoints('a', '\ud83d\ude00') < 0);
    assert.ok(compareCodePoints('ab', 'a') > 0);
    assert.equal(olpcCanonicalString({ '\ud83d\ude00': 1, '\uffff': 2, '\ue000': 3 }), '{"\ue000":3,"\uffff":2,"\ud83d\ude00":1}');
  });

  it('refuses floats, unsafe integers, lone surrogates and non-JSON values', () => {
    const code = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return (e as CnabTrustError).code;
      }
      return 'none';
    };
    assert.equal(code(() => olpcCanonicalString({ a: 1.5 })), 'E_CANONICAL_FLOAT');
    assert.equal(code(() => olpcCanonicalString({ a: 2 ** 60 })), 'E_CANONICAL_TYPE');
    assert.equal(code(() => olpcCanonicalString({ a: '\ud800' })), 'E_CANONICAL_TYPE');
    assert.equal(code(() => olpcCanonicalString({ a: () => 1 })), 'E_CANONICAL_TYPE');
    assert.equal(code(() => olpcCanonicalString(new Date(0))), 'E_CANONICAL_TYPE');
    assert.equal(olpcCanonicalString({ a: undefined, b: [null, true, false, -0, 12n] }), '{"b":[null,true,false,0,12]}');
  });
});
