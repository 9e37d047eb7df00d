/** Assertions on `CnabTrustError`s shared by the tests. */
import assert from 'node:assert/strict';
import { CnabTrustError, type ErrorCode } from '../../src/core/errors.js';

function expectCode(e: unknown, code: ErrorCode, message?: RegExp): CnabTrustError {
  assert.ok(e instanceof CnabTrustError, `expected CnabTrustError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (message) assert.match(e.message, message);
  return e;
}

/** `fn()` must throw a `CnabTrustError` with `code` (and a message matching `message`); returns it. */
export function throwsCode(fn: () => unknown, code: ErrorCode, message?: RegExp): CnabTrustError {
  try {
    fn();
  } catch (e) {
    return expectCode(e, code, message);
  }
  assert.fail(`expected ${code}`);
}

/** `p` must reject with a `CnabTrustError` with `code` (and a message matching `message`); returns it. */
export async function rejectsCode(p: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<CnabTrustError> {
  try {
    await p;
  } catch (e) {
    return expectCode(e, code, message);
  }
  assert.fail(`expected ${code}`);
}
