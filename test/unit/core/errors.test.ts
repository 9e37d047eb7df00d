import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/fixtures.js';
import { CnabTrustError, ERROR_CODES, EXIT, exitStatusOf, exitStatusOfCode, categoryOf } from '../../../src/core/errors.js';

describe('core/errors', () => {
  it('gives every code a category and a stable E_ prefix', () => {
    for (const code of ERROR_CODES) {
      assert.match(code, /^E_[A-Z0-9_]+$/);
      assert.ok(['verification', 'usage', 'io', 'internal'].includes(categoryOf(code)));
    }
  });

  it('maps categories to documented exit statuses', () => {
    assert.equal(exitStatusOf(new CnabTrustError('E_DIGEST_MISMATCH', 'x')), EXIT.VERIFICATION);
    assert.equal(exitStatusOf(new CnabTrustError('E_USAGE', 'x')), EXIT.USAGE);
    assert.equal(exitStatusOf(new CnabTrustError('E_FILE_NOT_FOUND', 'x')), EXIT.IO);
    assert.equal(exitStatusOf(new Error('bug')), EXIT.INTERNAL);
    assert.equal(exitStatusOfCode('E_TUF_FETCH'), EXIT.IO);
    assert.equal(exitStatusOfCode('E_INTERNAL'), EXIT.INTERNAL);
    for (const code of ERROR_CODES) assert.equal(exitStatusOfCode(code), exitStatusOf(new CnabTrustError(code, 'x')));
  });

  it('serializes code, message, subject and hint for --json', () => {
    const e = new CnabTrustError('E_RELOCATION_MISSING', 'image not mapped', { subject: 'docker.io/library/ubuntu:latest', hint: 'add it' });
    assert.deepEqual(JSON.parse(JSON.stringify(e)), {
      code: 'E_RELOCATION_MISSING',
      message: 'image not mapped',
      subject: 'docker.io/library/ubuntu:latest',
      hint: 'add it',
    });
  });

  it('has no code reserved and never raised: each is named by some source besides errors.ts', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
      );
    const text = sources(path.join(repoRoot, 'src'))
      .filter((f) => f !== path.join(repoRoot, 'src/core/errors.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const unused = ERROR_CODES.filter((code) => !text.includes(`'${code}'`) && !text.includes(`"${code}"`));
    assert.deepEqual(unused, []);
  });
});
