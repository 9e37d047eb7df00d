/**
 * Content digests: `<algorithm>:<lowercase hex>`, as OCI descriptors, CNAB `contentDigest` and image
 * references write them.
 *
 * The accepted set follows opencontainers/go-digest (what distribution/reference uses to validate the digest of a
 * reference): the algorithms `sha256`, `sha384`, `sha512`, each with exactly its hex length, hex in lowercase only.
 * A string that is well-formed per the OCI descriptor grammar (`[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+`) but
 * names another algorithm is refused as unsupported: a verifier must not accept a digest it cannot check.
 */
import { CnabTrustError } from '../errors.js';

/** Hex length of each supported algorithm's encoded value (OCI image spec, "Registered algorithms"). */
export const DIGEST_HEX_LENGTH = {
  sha256: 64,
  sha384: 96,
  sha512: 128,
} as const;

export type DigestAlgorithm = keyof typeof DIGEST_HEX_LENGTH;

/** A parsed, validated digest. `toString()` gives back `algorithm:hex`. */
export interface Digest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
  toString(): string;
}

export interface DigestParseOptions {
  /** What the digest belongs to (an image, a reference, a file), for the error's subject. Defaults to the digest. */
  subject?: string;
}

/** The OCI descriptor grammar of an algorithm name (image-spec descriptor.md "Digests"). */
const ALGORITHM_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*$/;

function isSupportedAlgorithm(a: string): a is DigestAlgorithm {
  return Object.prototype.hasOwnProperty.call(DIGEST_HEX_LENGTH, a);
}

/** Show untrusted text in a message: quoted, control characters escaped, bounded. */
export function quoteUntrusted(s: string, max = 160): string {
  const shown = s.length > max ? s.slice(0, max) + '…' : s;
  return JSON.stringify(shown);
}

function digestError(input: string, what: string, options: DigestParseOptions, extra: Record<string, unknown> = {}): CnabTrustError {
  return new CnabTrustError('E_DIGEST_INVALID', `invalid digest ${quoteUntrusted(input)}: ${what}`, {
    subject: options.subject ?? input,
    hint: 'a digest is sha256:<64 lowercase hex>, sha384:<96 lowercase hex> or sha512:<128 lowercase hex>',
    details: { digest: input, reason: what, ...extra },
  });
}

/** Parse and validate a digest string; throws `E_DIGEST_INVALID` saying what is wrong. */
export function parseDigest(input: string, options: DigestParseOptions = {}): Digest {
  if (typeof input !== 'string') throw digestError(String(input), 'not a string', options);
  const sep = input.indexOf(':');
  if (sep <= 0) throw digestError(input, 'missing "<algorithm>:" prefix', options);
  const algorithm = input.slice(0, sep);
  const hex = input.slice(sep + 1);
  if (!ALGORITHM_GRAMMAR.test(algorithm)) throw digestError(input, `malformed algorithm ${quoteUntrusted(algorithm)}`, options);
  if (!isSupportedAlgorithm(algorithm)) {
    throw digestError(input, `unsupported algorithm ${quoteUntrusted(algorithm)} (supported: ${Object.keys(DIGEST_HEX_LENGTH).join(', ')})`, options);
  }
  const want = DIGEST_HEX_LENGTH[algorithm];
  const bad = /[^0-9a-f]/.exec(hex);
  if (bad) {
    const ch = bad[0];
    const why = /[A-F]/.test(ch) ? 'uppercase hex is not allowed' : 'not a hex digit';
    throw digestError(input, `illegal character ${quoteUntrusted(ch)} at position ${sep + 2 + bad.index} (${why})`, options, {
      position: sep + 2 + bad.index,
    });
  }
  if (hex.length !== want) throw digestError(input, `${algorithm} needs ${want} hex digits, got ${hex.length}`, options);
  return makeDigest(algorithm, hex);
}

function makeDigest(algorithm: DigestAlgorithm, hex: string): Digest {
  const text = `${algorithm}:${hex}`;
  return Object.freeze({ algorithm, hex, toString: () => text });
}

/** Whether `input` is a valid supported digest (no exception). */
export function isDigest(input: unknown): input is string {
  if (typeof input !== 'string') return false;
  try {
    parseDigest(input);
    return true;
  } catch {
    return false;
  }
}

/** Build a digest from an algorithm and raw hash bytes (e.g. a Node `Hash.digest()`), e.g. `sha256:…`. */
export function digestFromBytes(algorithm: DigestAlgorithm, hash: Uint8Array): string {
  const hex = Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex');
  return parseDigest(`${algorithm}:${hex}`).toString();
}
