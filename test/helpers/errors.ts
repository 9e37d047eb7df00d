/** Run `fn`, expect it to throw a `CnabTrustError`, and return that error (fails the test otherwise). */
import assert from 'node:assert/strict';
import { CnabTrustError } from '../../src/core/errors.js';

export function errorOf(fn: () => unknown): CnabTrustError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CnabTrustError, `not a CnabTrustError: ${String(e)}`);
    return e;
  }
  assert.fail('expected a CnabTrustError');
}
