/**
 * JSON Canonicalization Scheme (RFC 8785), the canonical form of a bundle's signed bytes (CNAB 101/200,
 * docs/architecture.md §5, ADR 0001): object members sorted by UTF-16 code units, no insignificant whitespace, ECMAScript number
 * serialization, minimal string escaping. Built on the `canonicalize` package.
 */
import { Buffer } from 'node:buffer';
import canonicalizeModule from 'canonicalize';
import { CnabTrustError } from '../errors.js';

// `canonicalize` is CommonJS (`module.exports = fn`); its typings declare an ES default export, which under
// NodeNext resolution types the import as the module object. At run time the default import is the function.
const canonicalize = canonicalizeModule as unknown as (value: unknown) => string | undefined;

/** The RFC 8785 text of `value`. */
export function jcsString(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (e) {
    // canonicalize throws on NaN and Infinity, which JSON cannot carry (RFC 8785 §3.2.2.3).
    throw new CnabTrustError('E_CANONICAL_TYPE', `cannot canonicalize: ${(e as Error).message}`, { subject: 'JCS', cause: e });
  }
  if (text === undefined) {
    throw new CnabTrustError('E_CANONICAL_TYPE', 'cannot canonicalize a value that is not JSON (undefined, function or symbol)', {
      subject: 'JCS',
    });
  }
  return text;
}

/** The RFC 8785 canonical UTF-8 bytes of `value`. */
export function jcsBytes(value: unknown): Buffer {
  return Buffer.from(jcsString(value), 'utf8');
}
