import assert from 'node:assert/strict';
import { jcsBytes, jcsString } from '../../../src/core/canonical/jcs.js';
import { JsonFloat, parseJson } from '../../../src/core/json/index.js';
import { CnabTrustError } from '../../../src/core/errors.js';

describe('core/canonical/jcs (RFC 8785)', () => {
  it('sorts members by UTF-16 code units and drops whitespace', () => {
    // RFC 8785 §3.2.3 sorting example: keys compared as UTF-16 code units.
    const input = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    // (Object.keys would put the integer-like key "1" first, so compare the text.)
    const text = jcsString(input);
    const order = ['\\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'].map((k) => text.indexOf(`"${k}":`));
    assert.ok(order.every((p) => p >= 0), text);
    assert.deepEqual([...order].sort((a, b) => a - b), order);
  });

  it('serializes numbers the ECMAScript way (RFC 8785 §3.2.2.3)', () => {
    assert.equal(jcsString([1.0, 1e21, 1e-7, -0, 0.000001, 333333333.3333333, 4.5e-322]), '[1,1e+21,1e-7,0,0.000001,333333333.3333333,4.5e-322]');
  });

  it('escapes strings minimally', () => {
    assert.equal(jcsString({ s: '\u000f\n"\\/é' }), '{"s":"\\u000f\\n\\"\\\\/é"}');
  });

  it('returns UTF-8 bytes', () => {
    const b = jcsBytes({ b: 'é', a: [1, { d: null, c: true }] });
    assert.ok(b instanceof Uint8Array);
    assert.equal(b.toString('utf8'), '{"a":[1,{"c":true,"d":null}],"b":"é"}');
  });

  it('sees JsonFloat markers as plain numbers', () => {
    assert.equal(jcsString(parseJson('{"x":1.50}', { markFloats: true })), '{"x":1.5}');
    assert.ok(parseJson('{"x":1.50}', { markFloats: true }) !== null);
    assert.equal(jcsString(new JsonFloat(2, '2.0')), '2');
  });

  it('refuses what JSON cannot carry', () => {
    assert.throws(() => jcsString(NaN), (e: unknown) => e instanceof CnabTrustError && e.code === 'E_CANONICAL_TYPE');
    assert.throws(() => jcsString(Infinity), (e: unknown) => e instanceof CnabTrustError && e.code === 'E_CANONICAL_TYPE');
    assert.throws(() => jcsString(undefined), (e: unknown) => e instanceof CnabTrustError && e.code === 'E_CANONICAL_TYPE');
  });
});
