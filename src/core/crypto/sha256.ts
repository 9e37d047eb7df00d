/** SHA-256 of bytes in the two spellings the formats use: bare hex (TUF `hashes`) and `sha256:<hex>` (OCI, CNAB). */
import { createHash } from 'node:crypto';

/** Lowercase hex SHA-256 of some bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${sha256Hex(bytes)}`;
}
