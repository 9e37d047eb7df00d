/**
 * The signed artifact of a thin bundle: the canonical bytes of `bundle.json` (JCS, RFC 8785: sorted keys, no
 * insignificant whitespace; CNAB 101 and CNAB-Sec 300), their `sha256:<hex>` digest and length.
 */
import { Buffer } from 'node:buffer';
import { sha256Digest } from '../crypto/sha256.js';
import { jcsBytes } from '../canonical/jcs.js';
import type { Bundle } from './model.js';
import { parseBundle, type ParseBundleOptions } from './parse.js';

export interface CanonicalBundle {
  /** The canonical bytes: what is hashed, signed, and pushed as the OCI config blob. */
  bytes: Buffer;
  /** `sha256:<hex>` of `bytes`. */
  digest: string;
  /** `bytes.length`. */
  length: number;
}

/** Canonical bytes, digest and length of a bundle model. */
export function canonicalBundle(bundle: Bundle): CanonicalBundle {
  const bytes = jcsBytes(bundle);
  return { bytes, digest: sha256Digest(bytes), length: bytes.length };
}

export interface CanonicalizedInput extends CanonicalBundle {
  bundle: Bundle;
  /** Whether the input bytes were already exactly the canonical bytes. */
  canonical: boolean;
}

/** Parse and validate bundle bytes, then canonicalize them; says whether the input was already canonical. */
export function canonicalizeBundleBytes(input: Uint8Array, options: ParseBundleOptions = {}): CanonicalizedInput {
  const bundle = parseBundle(input, options);
  const c = canonicalBundle(bundle);
  return { ...c, bundle, canonical: Buffer.compare(Buffer.from(input.buffer, input.byteOffset, input.byteLength), c.bytes) === 0 };
}
