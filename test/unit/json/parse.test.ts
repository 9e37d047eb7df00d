import assert from 'node:assert/strict';
import { parseJson, JsonFloat, lineColumn, formatJsonPath, jsonPointerToPath } from '../../../src/core/json/index.js';
import { throwsCode } from '../../helpers/assert.js';

describe('core/json strict parser', () => {
  it('parses what JSON.parse parses, to the same values', () => {
    const docs = [
      '{"a":1,"b":[true,false,null],"c":{"d":"e"}}',
      ' [ 1 , -2.5e3 , 0 , -0 , 1E+2 , 3.25e-1 ] ',
      '"\\u00e9\\n\\t\\"\\\\\\/\\b\\f\\r"',
      '"\\ud83d\\ude00 and 😀"',
      '{"":{"":[]}}',
      'null',
      '12345678901234567890',
      '{"__proto__":{"x":1},"constructor":2}',
    ];
    for (const d of docs) assert.deepEqual(parseJson(d), JSON.parse(d), d);
    for (const d of docs) assert.deepEqual(parseJson(Buffer.from(d)), JSON.parse(d), d);
  });

  it('keeps "__proto__" as an own member, never as the prototype', () => {
    const v = parseJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual(Object.keys(v), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('refuses a duplicate key at the top level and names it', () => {
    const e = throwsCode(() => parseJson('{"a":1,\n "a":2}', { source: 'b.json' }), 'E_JSON_DUPLICATE_KEY', /"a" at \$\.a in b\.json \(2:2\)/);
    assert.equal(e.subject, 'b.json');
    assert.deepEqual(e.details, { path: '$.a', key: 'a', line: 2, column: 2 });
  });

  it('refuses a duplicate key deep inside, naming its JSON path', () => {
    const doc = '{"images":{"my.svc":{"image":"x","image":"y"}},"arr":[{}]}';
    const e = throwsCode(() => parseJson(doc), 'E_JSON_DUPLICATE_KEY');
    assert.equal(e.details?.['path'], '$.images["my.svc"].image');
    const e2 = throwsCode(() => parseJson('[{"k":1},{"k":1,"k":2}]'), 'E_JSON_DUPLICATE_KEY');
    assert.equal(e2.details?.['path'], '$[1].k');
  });

  it('treats keys that differ only by escape spelling as duplicates', () => {
    throwsCode(() => parseJson('{"a":1,"\\u0061":2}'), 'E_JSON_DUPLICATE_KEY');
  });

  it('reports malformed JSON with line:column', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"a":1,}', /1:8: expected a string key/],
      ['{"a":1\n,\n"b" 2}', /3:5: expected ':'/],
      ['[1,2', /1:5: expected ',' or '\]'/],
      ['', /1:1: expected a JSON value, found end of input/],
      ['{"a":01}', /leading zero/],
      ['{"a":1.}', /digit after '\.'/],
      ['{"a":-}', /expected a digit/],
      ['{"a":1e}', /exponent/],
      ['{"a":NaN}', /expected a JSON value/],
      ['{"a":"x\ny"}', /control character U\+000A inside a string/],
      ['{"a":"\\x"}', /invalid escape/],
      ['{"a":"\\u12"}', /four hex digits/],
      ['{"a":"abc', /unterminated string/],
      ['{"a":"\\ud800"}', /lone UTF-16 surrogate/],
      ['{"a":"\\udc00x"}', /lone UTF-16 surrogate/],
      ['{"a":1} x', /after the JSON value/],
      ['tru', /expected a JSON value/],
      ['{"a":1e400}', /out of the range/],
      ['\ufeff{}', /byte order mark/],
      ['// c\n{}', /expected a JSON value/],
      ["{'a':1}", /expected a string key/],
    ];
    for (const [doc, re] of cases) {
      const e = throwsCode(() => parseJson(doc, { source: 'in.json' }), 'E_JSON_PARSE', re);
      assert.match(e.message, /^malformed JSON in in\.json/);
    }
  });

  it('refuses bytes that are not UTF-8', () => {
    throwsCode(() => parseJson(Buffer.from([0x22, 0xff, 0x22])), 'E_JSON_PARSE', /not valid UTF-8/);
  });

  it('bounds the input size', () => {
    const e = throwsCode(() => parseJson('[' + '1,'.repeat(100) + '1]', { maxBytes: 100, source: 'big.json' }), 'E_JSON_TOO_LARGE');
    assert.equal(e.subject, 'big.json');
    assert.doesNotThrow(() => parseJson('[1]', { maxBytes: 3 }));
  });

  it('bounds the nesting depth without blowing the stack', () => {
    throwsCode(() => parseJson('['.repeat(5) + ']'.repeat(5), { maxDepth: 4 }), 'E_JSON_TOO_DEEP', /deeper than the limit of 4 at 1:5/);
    assert.doesNotThrow(() => parseJson('['.repeat(4) + ']'.repeat(4), { maxDepth: 4 }));
    throwsCode(() => parseJson('{"a":'.repeat(100000) + '1' + '}'.repeat(100000)), 'E_JSON_TOO_DEEP');
  });

  it('marks number literals with a fraction or exponent only when asked', () => {
    assert.deepEqual(parseJson('[1.0, 2e0, 3]'), [1, 2, 3]);
    const v = parseJson('[1.0, 2e0, 3, -0.5]', { markFloats: true }) as unknown[];
    assert.ok(v[0] instanceof JsonFloat);
    assert.equal((v[0] as JsonFloat).raw, '1.0');
    assert.equal((v[0] as JsonFloat).value, 1);
    assert.ok(v[1] instanceof JsonFloat);
    assert.equal(v[2], 3);
    assert.equal(JSON.stringify(v), '[1,2,3,-0.5]');
  });

  it('computes line and column', () => {
    assert.deepEqual(lineColumn('ab\ncd\nef', 0), { line: 1, column: 1 });
    assert.deepEqual(lineColumn('ab\ncd\nef', 4), { line: 2, column: 2 });
    assert.deepEqual(lineColumn('ab\ncd\nef', 6), { line: 3, column: 1 });
  });

  it('formats JSON paths and converts JSON pointers', () => {
    assert.equal(formatJsonPath([]), '$');
    assert.equal(formatJsonPath(['a', 0, 'b.c', 'd e']), '$.a[0]["b.c"]["d e"]');
    assert.equal(jsonPointerToPath(''), '$');
    assert.equal(jsonPointerToPath('/invocationImages/0/image'), '$.invocationImages[0].image');
    assert.equal(jsonPointerToPath('/custom/a~1b~0c'), '$.custom["a/b~c"]');
  });

  it('parses a large document at a useful speed', () => {
    const big = JSON.stringify(Array.from({ length: 50000 }, (_, i) => ({ name: `file-${i}`, sha256: 'ab'.repeat(32), n: i })));
    const v = parseJson(big) as unknown[];
    assert.equal(v.length, 50000);
    assert.deepEqual(v, JSON.parse(big));
  });
});
