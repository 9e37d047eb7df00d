/** Numbers kept exactly or refused: never rounded silently. */
import assert from 'node:assert/strict';
import { normalizeDecimal, parseJson, sameDecimalValue } from '../../../src/core/json/index.js';
import { throwsCode } from '../../helpers/assert.js';

describe('core/json: exact numbers', () => {
  it('normalizes decimal literals', () => {
    assert.equal(normalizeDecimal('1.50'), '15e-1');
    assert.equal(normalizeDecimal('1E-7'), '1e-7');
    assert.equal(normalizeDecimal('0.0000001'), '1e-7');
    assert.equal(normalizeDecimal('1e+21'), '1e21');
    assert.equal(normalizeDecimal('-0'), '0');
    assert.equal(normalizeDecimal('-0.0e5'), '0');
    assert.equal(normalizeDecimal('1200'), '12e2');
    assert.equal(normalizeDecimal('-3.25e-1'), '-325e-3');
  });

  it('says whether the canonical text of the double is the number written', () => {
    for (const raw of ['0', '-0', '1.0', '5.5', '1e21', '1E-7', '-1e-7', '9007199254740992', '-9007199254740992', '1e23', '0.1', '333333333.33333325', '5e-324', '1.7976931348623157e308']) {
      assert.ok(sameDecimalValue(raw, Number(raw)), raw);
    }
    for (const raw of ['9007199254740993', '-9007199254740993', '18446744073709551615', '1e-400', '0.30000000000000001', '1424953923781206.25']) {
      assert.ok(!sameDecimalValue(raw, Number(raw)), raw);
    }
  });

  it('refuses with exactNumbers a number a double cannot keep, naming where and what it would become', () => {
    const e = throwsCode(
      () => parseJson('{"a":[1,9007199254740993]}', { exactNumbers: true, source: 'b.json' }),
      'E_JSON_NUMBER_PRECISION',
      /number 9007199254740993 at \$\.a\[1\] in b\.json \(1:9\) cannot be kept exactly: .* it is 9007199254740992/,
    );
    assert.equal(e.subject, 'b.json');
    assert.match(e.hint ?? '', /write 9007199254740992 if that is what you mean, or a string/);
    throwsCode(() => parseJson('[1e-400]', { exactNumbers: true }), 'E_JSON_NUMBER_PRECISION', /it is 0/);
    // beyond a double, NaN and Infinity stay malformed JSON, with or without exactNumbers
    for (const opts of [{}, { exactNumbers: true }]) {
      throwsCode(() => parseJson('[1e400]', opts), 'E_JSON_PARSE', /out of the range of a double/);
      throwsCode(() => parseJson('[-1e309]', opts), 'E_JSON_PARSE', /out of the range of a double/);
      throwsCode(() => parseJson('[NaN]', opts), 'E_JSON_PARSE', /expected a JSON value/);
      throwsCode(() => parseJson('[Infinity]', opts), 'E_JSON_PARSE', /expected a JSON value/);
      throwsCode(() => parseJson('[-Infinity]', opts), 'E_JSON_PARSE', /expected a digit/);
    }
  });

  it('keeps every number whose canonical text is the number written, and reads the old way without the option', () => {
    assert.deepEqual(parseJson('[1.50, 1E-7, -0, 1e21, 9007199254740992]', { exactNumbers: true }), [1.5, 1e-7, -0, 1e21, 9007199254740992]);
    assert.deepEqual(parseJson('[9007199254740993]'), [9007199254740992]);
  });
});
