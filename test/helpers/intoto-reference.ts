/**
 * The python reference `in-toto-verify` 1.3.1 as a test oracle: its verdict, and the exception class it names
 * on stderr (`(in-toto-verify) <Class>: <message>`) mapped to our error codes.
 */
import { spawnSync } from 'node:child_process';

/** The reference's exception classes and our codes for them. */
export const CODE_OF_CLASS: Readonly<Record<string, string>> = {
  RuleVerificationError: 'E_INTOTO_RULE',
  LinkNotFoundError: 'E_INTOTO_LINK_NOT_FOUND',
  ThresholdVerificationError: 'E_INTOTO_THRESHOLD',
  LayoutExpiredError: 'E_INTOTO_LAYOUT_EXPIRED',
  SignatureVerificationError: 'E_INTOTO_LAYOUT_SIGNATURE',
  BadReturnValueError: 'E_INTOTO_INSPECTION',
  FormatError: 'E_INTOTO_INVALID',
  JSONDecodeError: 'E_JSON_PARSE',
  KeyExpirationError: 'E_KEY_EXPIRED',
};

/**
 * Exceptions that are python crashes, not verdicts: `in-toto-verify` catches every exception and exits 1, so a
 * bug in the reference (a missing dictionary key, an empty list indexed, `binascii.Error` on odd hex) looks like
 * a failed verification.
 */
/**
 * Codes that are also the reference's class `cls`: python's FormatError covers what we tell apart (a float or a
 * too large number in signed data is E_CANONICAL_FLOAT / E_CANONICAL_TYPE here).
 */
export function codesOfClass(cls: string): string[] {
  const code = CODE_OF_CLASS[cls];
  const also = cls === 'FormatError' ? ['E_CANONICAL_FLOAT', 'E_CANONICAL_TYPE'] : [];
  return code === undefined ? also : [code, ...also];
}

export const REFERENCE_CRASH_CLASSES: ReadonlySet<string> = new Set(['KeyError', 'IndexError', 'TypeError', 'AttributeError', 'ValueError', 'Error']);

export interface ReferenceVerdict {
  verified: boolean;
  /** The exception class named on stderr when it failed (null if none was named). */
  errorClass: string | null;
  stderr: string;
}

/** The exception class in `in-toto-verify`'s error line, or null. */
export function referenceErrorClass(stderr: string): string | null {
  return /\(in-toto-verify\) (\w+):/.exec(stderr)?.[1] ?? null;
}

/** Run `in-toto-verify ARGS` in `cwd` with a clean environment (no IN_TOTO_* variables, HOME = cwd). */
export function runReferenceVerify(cwd: string, args: readonly string[]): ReferenceVerdict {
  const env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin', HOME: cwd, LC_ALL: 'C.UTF-8', TZ: 'UTC' };
  const r = spawnSync('in-toto-verify', args, { cwd, env, encoding: 'utf8' });
  if (r.error !== undefined) throw r.error;
  if (r.status !== 0 && r.status !== 1) throw new Error(`in-toto-verify exited ${String(r.status)}: ${r.stderr}`);
  return { verified: r.status === 0, errorClass: r.status === 0 ? null : referenceErrorClass(r.stderr), stderr: r.stderr };
}
