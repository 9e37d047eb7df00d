import assert from 'node:assert/strict';
import { parseRule } from '../../../src/core/intoto/rules.js';
import { fnmatch, translateFnmatch } from '../../../src/core/intoto/fnmatch.js';
import { verifyItemRules } from '../../../src/core/intoto/rule-engine.js';
import type { LinkModel } from '../../../src/core/intoto/metadata.js';
import { CnabTrustError } from '../../../src/core/errors.js';
import { errorOf } from '../../helpers/errors.js';

const codeOf = (f: () => unknown): string => errorOf(f).code;

function link(name: string, materials: Record<string, string>, products: Record<string, string>): LinkModel {
  const d = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { sha256: v }]));
  return { _type: 'link', byproducts: {}, command: [], environment: {}, materials: d(materials), name, products: d(products) };
}

describe('core/intoto: artifact rules', () => {
  it('parses every rule form, keywords in any case', () => {
    assert.deepEqual(parseRule(['CREATE', 'foo'], 'x'), { type: 'create', pattern: 'foo', text: 'CREATE foo' });
    assert.equal(parseRule(['require', 'LICENSE'], 'x').type, 'require');
    const m = parseRule(['MATCH', 'foo.py', 'IN', 'build/lib', 'WITH', 'materials', 'IN', 'src', 'FROM', 'build'], 'x');
    assert.deepEqual(m, {
      type: 'match',
      pattern: 'foo.py',
      sourcePrefix: 'build/lib',
      destType: 'materials',
      destPrefix: 'src',
      destName: 'build',
      text: 'MATCH foo.py IN build/lib WITH materials IN src FROM build',
    });
    assert.equal(parseRule(['match', '*', 'with', 'PRODUCTS', 'from', 'a'], 'x').type, 'match');
    assert.equal(parseRule(['MATCH', '*', 'IN', 'p', 'WITH', 'PRODUCTS', 'FROM', 'a'], 'x').type, 'match');
    assert.equal(parseRule(['MATCH', '*', 'WITH', 'PRODUCTS', 'IN', 'p', 'FROM', 'a'], 'x').type, 'match');
  });

  it('refuses rules that do not parse (E_INTOTO_INVALID) and paths that climb out (E_INTOTO_PATH)', () => {
    for (const r of [[], ['CREATE'], ['CREAT', 'x'], ['CREATE', 'a', 'b'], ['MATCH', 'x', 'WITH', 'ARTIFACTS', 'FROM', 's'], ['MATCH', 'x', 'FROM', 's'], ['MATCH', 'x', 'WITH', 'PRODUCTS']]) {
      assert.equal(codeOf(() => parseRule(r, 'layout step')), 'E_INTOTO_INVALID', r.join(' '));
    }
    assert.equal(codeOf(() => parseRule(['ALLOW', '../etc/passwd'], 'x')), 'E_INTOTO_PATH');
    assert.equal(codeOf(() => parseRule(['ALLOW', '/etc/passwd'], 'x')), 'E_INTOTO_PATH');
    assert.equal(codeOf(() => parseRule(['MATCH', '*', 'IN', 'a/../..', 'WITH', 'PRODUCTS', 'FROM', 's'], 'x')), 'E_INTOTO_PATH');
  });

  it('matches like python fnmatch: * crosses /, sets, unclosed [ is literal', () => {
    assert.ok(fnmatch('a/b/c.py', '*.py'));
    assert.ok(fnmatch('a/b', 'a*'));
    assert.ok(!fnmatch('b/a', 'a*'));
    assert.ok(fnmatch('x1', 'x[0-9]'));
    assert.ok(!fnmatch('xa', 'x[0-9]'));
    assert.ok(fnmatch('xa', 'x[!0-9]'));
    assert.ok(fnmatch('[x', '[x'));
    assert.ok(fnmatch('a.b', 'a?b'));
    assert.ok(fnmatch('\u{1f600}', '?'), 'one code point');
    assert.ok(!fnmatch('A.PY', '*.py'), 'case-sensitive');
    assert.ok(fnmatch('a\nb', 'a*b'), '* matches newlines too (DOTALL)');
    assert.ok(fnmatch('x-', 'x[-]'));
    assert.ok(!fnmatch('b', '[z-a]'), 'an empty range matches nothing');
    assert.equal(translateFnmatch('a.b'), '^a\\.b$');
  });

  it('applies the consuming queue: MATCH, CREATE, DELETE, MODIFY, ALLOW, REQUIRE, DISALLOW', () => {
    const checkout = link('checkout', {}, { 'src/foo.py': '01', 'src/old.txt': '02', 'README.md': '03' });
    const build = link('build', { 'src/foo.py': '01', 'src/old.txt': '02', 'README.md': '03' }, { 'src/foo.py': '11', 'build/lib/foo.py': '01', 'README.md': '03' });
    const links = new Map([
      ['checkout', checkout],
      ['build', build],
    ]);
    const ctx = (t: 'materials' | 'products') => ({ item: 'build', sourceType: t, links });
    const rules = (rs: string[][]) => rs.map((r) => parseRule(r, 'test'));
    verifyItemRules(rules([['MATCH', '*', 'WITH', 'PRODUCTS', 'FROM', 'checkout'], ['DISALLOW', '*']]), build, ctx('materials'));
    verifyItemRules(
      rules([
        ['MODIFY', 'src/foo.py'],
        ['MATCH', 'foo.py', 'IN', 'build/lib', 'WITH', 'MATERIALS', 'IN', 'src', 'FROM', 'build'],
        ['REQUIRE', 'README.md'],
        ['MATCH', 'README.md', 'WITH', 'PRODUCTS', 'FROM', 'checkout'],
        ['DISALLOW', '*'],
      ]),
      build,
      ctx('products'),
    );
    verifyItemRules(rules([['DELETE', 'src/old.txt'], ['ALLOW', '*']]), build, ctx('materials'));
    // CREATE consumes only what is new; MODIFY only what changed
    assert.equal(codeOf(() => verifyItemRules(rules([['CREATE', '*'], ['DISALLOW', 'README.md']]), build, ctx('products'))), 'E_INTOTO_RULE');
    assert.equal(codeOf(() => verifyItemRules(rules([['MODIFY', '*'], ['DISALLOW', 'README.md']]), build, ctx('products'))), 'E_INTOTO_RULE');
    assert.equal(codeOf(() => verifyItemRules(rules([['REQUIRE', 'LICENSE']]), build, ctx('products'))), 'E_INTOTO_RULE');
    // REQUIRE is exact, not a pattern
    assert.equal(codeOf(() => verifyItemRules(rules([['REQUIRE', '*.md']]), build, ctx('products'))), 'E_INTOTO_RULE');
    // MATCH against a step with no link consumes nothing
    assert.equal(codeOf(() => verifyItemRules(rules([['MATCH', '*', 'WITH', 'PRODUCTS', 'FROM', 'nobody'], ['DISALLOW', '*']]), build, ctx('materials'))), 'E_INTOTO_RULE');
    // a hash mismatch is not consumed by MATCH
    const tampered = link('build', { 'src/foo.py': 'ff' }, {});
    const e = (() => {
      try {
        verifyItemRules(rules([['MATCH', '*', 'WITH', 'PRODUCTS', 'FROM', 'checkout'], ['DISALLOW', '*']]), tampered, ctx('materials'));
      } catch (err) {
        return err as CnabTrustError;
      }
      return undefined;
    })();
    assert.equal(e?.code, 'E_INTOTO_RULE');
    assert.equal(e?.subject, 'build: DISALLOW *');
    assert.deepEqual(e?.details?.['artifacts'], ['src/foo.py']);
  });

  it('MATCH with an IN prefix turns backslashes into slashes in the joined paths, as 1.3.1 does', () => {
    // verify_match_rule: os.path.join(prefix, path).replace("\\", "/") for the source prefix, the source path
    // and the destination path (a path without a prefix on its side is taken as it is)
    const rules = (rs: string[][]) => rs.map((r) => parseRule(r, 'test'));
    const fetch = link('fetch', {}, { 'dist/win/a.txt': 'aa', 'src/lib/x.h': 'bb' });
    const build = link('build', { 'win\\a.txt': 'aa', 'src/x.h': 'bb' }, {});
    const links = new Map([
      ['fetch', fetch],
      ['build', build],
    ]);
    const ctx = { item: 'build', sourceType: 'materials' as const, links };
    // destination prefix: 'win\\a.txt' is looked up as 'dist/win/a.txt'
    verifyItemRules(rules([['MATCH', 'win*', 'WITH', 'PRODUCTS', 'IN', 'dist', 'FROM', 'fetch'], ['ALLOW', 'src/x.h'], ['DISALLOW', '*']]), build, ctx);
    // no destination prefix: the path is taken as it is, nothing is consumed
    assert.equal(codeOf(() => verifyItemRules(rules([['MATCH', 'win*', 'WITH', 'PRODUCTS', 'FROM', 'fetch'], ['DISALLOW', 'win*']]), build, ctx)), 'E_INTOTO_RULE');
    // source prefix with a backslash: 'src\\x' filters like 'src/x/' (and 'src\\' like 'src//', nothing)
    const lib = link('lib', { 'src/x/x.h': 'bb' }, {});
    const libLinks = new Map([
      ['fetch', fetch],
      ['lib', lib],
    ]);
    const libCtx = { item: 'lib', sourceType: 'materials' as const, links: libLinks };
    verifyItemRules(rules([['MATCH', 'x.h', 'IN', 'src\\x', 'WITH', 'PRODUCTS', 'IN', 'src/lib', 'FROM', 'fetch'], ['DISALLOW', '*']]), lib, libCtx);
    assert.equal(codeOf(() => verifyItemRules(rules([['MATCH', '*', 'IN', 'src\\', 'WITH', 'PRODUCTS', 'FROM', 'fetch'], ['DISALLOW', '*']]), lib, libCtx)), 'E_INTOTO_RULE');
    // a source path whose slashed form is another queued artifact: that one is consumed (1.3.1 looks it up)
    const two = link('two', { 'src/win\\b.txt': 'cc', 'src/win/b.txt': 'cc' }, {});
    const twoLinks = new Map([
      ['fetch', { ...fetch, products: { 'src/win/b.txt': { sha256: 'cc' } } }],
      ['two', two],
    ]);
    const e = errorOf(() => verifyItemRules(rules([['MATCH', '*', 'IN', 'src', 'WITH', 'PRODUCTS', 'IN', 'src', 'FROM', 'fetch'], ['DISALLOW', '*']]), two, { item: 'two', sourceType: 'materials', links: twoLinks }));
    assert.deepEqual(e.details?.['artifacts'], ['src/win\\b.txt']);
  });
});
