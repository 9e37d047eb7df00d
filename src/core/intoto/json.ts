/**
 * Decoding layout and link bytes. Bounded in size (a link of 20,000 artifacts is ~5 MB; 64 MiB leaves room
 * for large trees) and strict UTF-8. Malformed input is E_JSON_PARSE naming the file.
 *
 * `JSON.parse`, not the strict parser of `core/json`, on purpose: it is about twice as fast on a 7 MB link (the
 * verify time bench/intoto.bench.ts measures), and for a repeated key it keeps the last value exactly as Python's
 * `json.load` in in-toto 1.3.1 does, so both verifiers see the same document and give the same verdict. The
 * signing bytes are re-encoded from the parsed value, so a repeated key can never be smuggled past a signature.
 */
import { CnabTrustError } from '../errors.js';
import { JsonFloat } from '../json/parse.js';

export const MAX_METADATA_BYTES = 64 * 1024 * 1024;

// ignoreBOM: a byte order mark stays in the text, so JSON.parse refuses it, as Python's json.load does in
// in-toto 1.3.1 (`JSONDecodeError: Unexpected UTF-8 BOM`); a decoder that dropped it accepted such files.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface DecodedMetadata {
  value: unknown;
  /** The file is pure ASCII and has no backslash: no string in it needs (or had) an escape. */
  plainText: boolean;
}

/**
 * Numbers as Python's `json.load` reads them in in-toto 1.3.1, where `JSON.parse` loses the difference: a literal
 * with a fraction or an exponent is a float even when its value is whole (`0.0`, `1E2`), which the canonical
 * encoder refuses (1.3.1: FormatError) and a threshold is not; an integer is exact at any size. Found cheaply:
 * such a number follows `:`, `,` or `[`, and a hex digest never does (it is a string).
 */
const NUMBER_HINT = /[:,[]\s*-?\d+(?:[.eE]|\d{15})/;
/** A JSON number (RFC 8259; Python's json NUMBER_RE): no leading zero, so `01.5` stays invalid for JSON.parse. */
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The number literals outside strings that JSON.parse would not keep as written: [start, end) each. */
function inexactNumbers(text: string): [number, number][] {
  const found: [number, number][] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (m === null) continue; // not JSON: JSON.parse says where
      const raw = m[0];
      if (/[.eE]/.test(raw) || raw.replace('-', '').length > 15) found.push([i, i + raw.length]);
      i += raw.length - 1;
    }
  }
  return found;
}

/** JSON.parse, with the numbers of `inexactNumbers` as JsonFloat or exact integers (bigint beyond 2^53). */
function parseExactNumbers(text: string): unknown {
  const spans = inexactNumbers(text);
  if (spans.length === 0) return JSON.parse(text);
  // Each such number goes through JSON.parse as a string behind a marker no string of the document has.
  let k = 0;
  while (text.includes(`\\u0000#${k}:`)) k++;
  const marker = `\u0000#${k}:`;
  let rewritten = '';
  let at = 0;
  for (const [start, end] of spans) {
    rewritten += text.slice(at, start) + JSON.stringify(marker + text.slice(start, end));
    at = end;
  }
  rewritten += text.slice(at);
  return JSON.parse(rewritten, (_key, v: unknown) => {
    if (typeof v !== 'string' || !v.startsWith(marker)) return v;
    const raw = v.slice(marker.length);
    if (/[.eE]/.test(raw)) return new JsonFloat(Number(raw), raw);
    const n = BigInt(raw);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  });
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
    return { value: NUMBER_HINT.test(text) ? parseExactNumbers(text) : (JSON.parse(text) as unknown), plainText };
  } catch (e) {
    throw new CnabTrustError('E_JSON_PARSE', `${source} is not JSON: ${(e as Error).message}`, { subject: source });
  }
}

