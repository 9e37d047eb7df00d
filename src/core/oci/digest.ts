/**
 * Hashing of fetched bytes: every manifest and blob is re-hashed with its digest's algorithm and compared
 * (OCI image spec, descriptor "Verification").
 */
import { createHash, type Hash } from 'node:crypto';
import { CnabTrustError } from '../errors.js';
import { isDigest, parseDigest } from '../reference/digest.js';

/** Throw `E_DIGEST_INVALID` unless `digest` is a supported, well-formed digest. */
export function assertDigest(digest: unknown, subject?: string): asserts digest is string {
  parseDigest(digest as string, subject === undefined ? {} : { subject });
}

/** Whether `digest` is a supported, well-formed digest. */
export function isValidDigest(digest: unknown): boolean {
  return isDigest(digest);
}

/** A hash object for the algorithm the digest names. */
export function hasherFor(digest: string): Hash {
  assertDigest(digest);
  return createHash(digest.slice(0, digest.indexOf(':')));
}

/** `sha256:<hex>` (or the algorithm given) of some bytes. */
export function digestOf(bytes: Uint8Array, algorithm: 'sha256' | 'sha384' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Hash `bytes` with the algorithm of `expected` and throw `E_OCI_DIGEST_MISMATCH` if they differ. */
export function verifyDigest(bytes: Uint8Array, expected: string, subject: string): void {
  const actual = `${expected.slice(0, expected.indexOf(':'))}:${hasherFor(expected).update(bytes).digest('hex')}`;
  if (actual !== expected) throw digestMismatch(subject, expected, actual);
}

export function digestMismatch(subject: string, expected: string, actual: string): CnabTrustError {
  return new CnabTrustError('E_OCI_DIGEST_MISMATCH', `content of ${subject} has digest ${actual}, expected ${expected}`, {
    subject,
    details: { expected, actual },
    hint: 'the registry or directory served other bytes than the digest names; do not trust it',
  });
}
