import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Buffer } from 'node:buffer';
import { minifiedCanonicalMember } from '../../../src/core/canonical/olpc-minify.js';
import { olpcCanonicalBytes, olpcCanonicalString } from '../../../src/core/canonical/olpc.js';
import { intotoFixtures } from '../../helpers/fixtures.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(link|layout)$/.test(f) ? [p] : [];
  });
}

describe('core/canonical/olpc-minify: canonical bytes from the text when it is canonical up to whitespace', () => {
  it('equals the encoder on every fixture document it accepts, and accepts the links the reference wrote', () => {
    let accepted = 0;
    for (const f of files(path.join(intotoFixtures, 'cases'))) {
      const bytes = readFileSync(f);
      const doc = JSON.parse(bytes.toString('utf8')) as { signed: unknown };
      const fast = minifiedCanonicalMember(bytes, 'signed');
      if (fast === undefined) continue;
      accepted++;
      assert.equal(fast.bytes.toString('utf8'), olpcCanonicalString(doc.signed), f);
    }
    assert.ok(accepted >= 30, `${accepted}`);
  });

  it('declines anything whose canonical form is not the text without whitespace', () => {
    const declined = [
      '{"signed": {"b": 1, "a": 2}}', // unsorted
      '{"signed": {"a": 1, "a": 2}}', // repeated key
      '{"signed": {"a": "\\u0041"}}', // an escape other than \" and \\
      '{"signed": {"a": "x\\/y"}}',
      '{"signed": {"a\\"": 1}}', // a key with an escape
      '{"signed": {"a": 1.0}}', // a float
      '{"signed": {"a": 1e3}}',
      '{"signed": {"a": -0}}',
      '{"signed": {"a": 12345678901234567}}', // beyond 15 digits
      '{"signed": [1]}', // not an object
      '{"other": {}}', // no such member
    ];
    for (const d of declined) assert.equal(minifiedCanonicalMember(Buffer.from(d), 'signed'), undefined, d);
  });

  it('accepts escaped quotes and backslashes, nested containers, and skips other members first', () => {
    const doc = '{"a": [1, {"x": "}"}], "signed": {\n "b": [true, false, null, -5, {"c": "q\\"\\\\"}],\n "d": {}, "e": []\n}, "z": 1}';
    const fast = minifiedCanonicalMember(Buffer.from(doc), 'signed');
    const signed = (JSON.parse(doc) as { signed: unknown }).signed;
    assert.equal(fast?.bytes.toString(), olpcCanonicalBytes(signed).toString());
    assert.deepEqual(fast?.keys, ['b', 'd', 'e']);
  });
});
