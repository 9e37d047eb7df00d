/**
 * CNAB-Sec 303 steps 2 and 4 ("the content digest of the bundle is computed locally ... compared with the bundle
 * signature"): the exact bytes fetched must have the length and every hash the trusted TUF target states.
 * Pure: bytes and the trusted target in, a verdict or a typed error out.
 */
import { createHash } from 'node:crypto';
import { sha256Digest } from '../crypto/sha256.js';
import { CnabTrustError } from '../errors.js';

/** What TUF vouches for: length and hashes of the target file. */
export interface SignedArtifactFacts {
  name: string;
  length: number;
  hashes: Record<string, string>;
}

/** Hash algorithms a TUF target may state that we can check (TUF 1.0: at least one must be checked). */
const SUPPORTED_HASHES = new Set(['sha256', 'sha384', 'sha512']);

/** `sha256:<hex>` of the bytes that passed (the report's `digest`). */
export interface CheckedArtifact {
  digest: string;
  length: number;
  /** The algorithms compared. */
  algorithms: string[];
}

/**
 * Compare `bytes` with the signed length (E_LENGTH_MISMATCH) and with every supported hash the target lists
 * (E_DIGEST_MISMATCH). A target listing no supported hash cannot be verified (E_TUF_INVALID).
 * `what` names the bytes in messages (`bundle.json from oci:dir:1.0`).
 */
export function checkSignedArtifact(bytes: Uint8Array, target: SignedArtifactFacts, what: string): CheckedArtifact {
  if (bytes.byteLength !== target.length) throw lengthMismatch(target, bytes.byteLength, what);
  const algorithms = Object.keys(target.hashes).filter((a) => SUPPORTED_HASHES.has(a)).sort();
  if (algorithms.length === 0) {
    throw new CnabTrustError('E_TUF_INVALID', `target ${target.name} lists no hash this verifier supports`, {
      subject: target.name,
      details: { hashes: Object.keys(target.hashes) },
    });
  }
  for (const algorithm of algorithms) {
    const actual = createHash(algorithm).update(bytes).digest('hex');
    const expected = target.hashes[algorithm]!.toLowerCase();
    if (actual !== expected) {
      throw new CnabTrustError(
        'E_DIGEST_MISMATCH',
        `${what}: ${algorithm} ${actual} differs from the signed ${algorithm} ${expected} of ${target.name}`,
        {
          subject: target.name,
          hint: 'these are not the bytes the repository signed: do not install them',
          details: { algorithm, expected, actual, source: what },
        },
      );
    }
  }
  return { digest: sha256Digest(bytes), length: bytes.byteLength, algorithms };
}

/** E_LENGTH_MISMATCH: the fetched artifact is not as long as the signed target says. */
export function lengthMismatch(target: SignedArtifactFacts, actual: number, what: string): CnabTrustError {
  return new CnabTrustError(
    'E_LENGTH_MISMATCH',
    `${what} is ${actual} bytes but the signed target ${target.name} is ${target.length} bytes`,
    {
      subject: target.name,
      hint: 'these are not the bytes the repository signed: do not install them',
      details: { expected: target.length, actual, source: what },
    },
  );
}

/**
 * Whether two trusted targets describe the same file: equal length and the same hash under every algorithm either
 * states (key order and hex case do not matter). TAP 4: the repositories that agreed must still agree when read again.
 */
export function sameTargetFile(a: Pick<SignedArtifactFacts, 'length' | 'hashes'>, b: Pick<SignedArtifactFacts, 'length' | 'hashes'>): boolean {
  if (a.length !== b.length) return false;
  const algorithms = new Set([...Object.keys(a.hashes), ...Object.keys(b.hashes)]);
  for (const algorithm of algorithms) {
    if (a.hashes[algorithm]?.toLowerCase() !== b.hashes[algorithm]?.toLowerCase()) return false;
  }
  return algorithms.size > 0;
}

/**
 * Whether an artifact measured by streaming (a thick bundle archive: its `sha256:<hex>` digest and length) is the
 * signed target itself. Only a target that states sha256 alone can be matched this way; one with other hashes too
 * must be checked on the bytes with `checkSignedArtifact`.
 */
export function isSignedArtifact(measured: { digest: string; length: number }, target: SignedArtifactFacts): boolean {
  const algorithms = Object.keys(target.hashes);
  if (algorithms.length !== 1 || algorithms[0] !== 'sha256') return false;
  return measured.length === target.length && measured.digest === `sha256:${target.hashes['sha256']!.toLowerCase()}`;
}
