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

  // RFC 8785 Appendix B, "Number Serialization Samples": IEEE 754 bits and the text JCS must write.
  const APPENDIX_B: Array<[string, string | null]> = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['7fffffffffffffff', null],
    ['7ff0000000000000', null],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];
  const fromBits = (hex: string): number => Buffer.from(hex, 'hex').readDoubleBE(0);

  it('writes the RFC 8785 Appendix B number samples, and refuses NaN and Infinity', () => {
    for (const [hex, text] of APPENDIX_B) {
      if (text === null) {
        assert.throws(() => jcsString(fromBits(hex)), (e: unknown) => e instanceof CnabTrustError && e.code === 'E_CANONICAL_TYPE', hex);
      } else {
        assert.equal(jcsString(fromBits(hex)), text, hex);
        assert.equal(jcsString({ n: fromBits(hex) }), `{"n":${text}}`, hex);
      }
    }
  });

  it('reads every Appendix B text back (exact numbers) and writes it unchanged', () => {
    for (const [hex, text] of APPENDIX_B) {
      if (text === null) continue;
      const v = parseJson(`[${text}]`, { exactNumbers: true }) as number[];
      assert.ok(Object.is(v[0], fromBits(hex)) || (v[0] === 0 && fromBits(hex) === 0), hex);
      assert.equal(jcsString(v), `[${text}]`);
    }
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
