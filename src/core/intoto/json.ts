/**
 * Decoding layout and link bytes. Bounded in size (a link of 20,000 artifacts is ~5 MB; 64 MiB leaves room
 * for large trees) and strict UTF-8. Malformed input is E_JSON_PARSE naming the file.
 *
 * `JSON.parse`, not the strict parser of `core/json`, on purpose: it is about twice as fast on a 7 MB link (the
 * verify time that issue 4 item 7 measures), and for a repeated key it keeps the last value exactly as Python's
 * `json.load` in in-toto 1.3.1 does, so both verifiers see the same document and give the same verdict. The
 * signing bytes are re-encoded from the parsed value, so a repeated key can never be smuggled past a signature.
 */
import { CnabTrustError } from '../errors.js';

export const MAX_METADATA_BYTES = 64 * 1024 * 1024;

// ignoreBOM: a byte order mark stays in the text, so JSON.parse refuses it, as Python's json.load does in
// in-toto 1.3.1 (`JSONDecodeError: Unexpected UTF-8 BOM`); a decoder that dropped it accepted such files.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface DecodedMetadata {
  value: unknown;
  /** The file is pure ASCII and has no backslash: no string in it needs (or had) an escape. */
  plainText: boolean;
}

export function parseMetadataJson(bytes: Uint8Array, source: string): unknown {
  return decodeMetadata(bytes, source).value;
}

export function decodeMetadata(bytes: Uint8Array, source: string): DecodedMetadata {
  if (bytes.byteLength > MAX_METADATA_BYTES) {
    throw new CnabTrustError('E_JSON_TOO_LARGE', `${source} is ${bytes.byteLength} bytes, more than the limit of ${MAX_METADATA_BYTES}`, {
      subject: source,
    });
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new CnabTrustError('E_JSON_PARSE', `${source} is not valid UTF-8`, { subject: source });
  }
  // A UTF-8 text as long in UTF-16 units as in bytes is all ASCII (every other character takes 2+ bytes).
  const plainText = text.length === bytes.byteLength && !text.includes('\\');
  try {
    return { value: JSON.parse(text) as unknown, plainText };
  } catch (e) {
    throw new CnabTrustError('E_JSON_PARSE', `${source} is not JSON: ${(e as Error).message}`, { subject: source });
  }
}

