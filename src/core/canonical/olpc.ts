/**
 * OLPC canonical JSON as securesystemslib's `encode_canonical` writes it: the signing bytes of in-toto layouts
 * and links (and of TUF metadata), and the bytes hashed into a securesystemslib keyid.
 *
 *  - object members sorted by the Unicode CODE POINTS of their keys (Python `sorted()` on `str`);
 *  - no whitespace;
 *  - in strings only `"` and `\` are escaped; every other character (control characters, U+2028,
 *    non-ASCII) is written raw and the whole text is UTF-8 encoded;
 *  - numbers must be integers: a float is refused (E_CANONICAL_FLOAT), even `1.0` when the strict JSON
 *    parser marked it as written with a fraction (`JsonFloat`); integers beyond 2^53 must come as `bigint`.
 *
 * Written by hand because no well-kept library matches these rules: `@tufjs/canonical-json` sorts keys by
 * UTF-16 code units (JavaScript's default sort), which orders an astral-plane key (U+1F600, surrogates
 * D83D..) before U+FFFF and so fails the reference vectors (`vectors/canonical.json`); `canonicalize` is
 * JCS (RFC 8785), which escapes control characters and accepts floats.
 *
 * Speed matters: this encoder runs over every link during `intoto verify` (two links of 20,000 artifacts
 * are 7 MB of JSON). It appends to one string (V8 ropes make that cheap), escapes only strings that need it,
 * and uses the engine's native sort, falling back to a code-point comparison only when an object has a key
 * with a surrogate.
 */
import { Buffer } from 'node:buffer';
import { CnabTrustError } from '../errors.js';

const NEEDS_ESCAPE = /["\\]/;
const ESCAPE_ALL = /["\\]/g;
const SURROGATE = /[\uD800-\uDFFF]/;

/** Compare two strings by Unicode code points (Python's `str` order), not by UTF-16 code units. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (D800..DFFF) starts a code point above U+FFFF, so it sorts after every BMP unit above it.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? (y >= 0xe000 ? 1 : x - y) : x >= 0xe000 ? -1 : x - y;
    return x - y;
  }
  return a.length - b.length;
}

function floatError(shown: string, path: string): CnabTrustError {
  return new CnabTrustError('E_CANONICAL_FLOAT', `canonical JSON cannot encode the number ${shown} at ${path}: only integers are allowed`, {
    subject: path,
  });
}

function typeError(what: string, path: string): CnabTrustError {
  return new CnabTrustError('E_CANONICAL_TYPE', `canonical JSON cannot encode ${what} at ${path}`, { subject: path });
}

/** The `JsonFloat` marker of the strict parser (`src/core/json`): an object carrying the literal as written. */
function isJsonFloat(v: object): v is { raw: string; value: number } {
  return v.constructor?.name === 'JsonFloat' && typeof (v as { raw?: unknown }).raw === 'string';
}

function encodeString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? '"' + s.replace(ESCAPE_ALL, '\\$&') + '"' : '"' + s + '"';
}

function encodeValue(v: unknown, path: string): string {
  switch (typeof v) {
    case 'string':
      return encodeString(v);
    case 'number':
      if (Number.isSafeInteger(v)) return String(v);
      if (Number.isInteger(v)) throw typeError(`the integer ${v} beyond 2^53 (pass it as a bigint)`, path);
      throw floatError(String(v), path);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out += ',';
          out += encodeValue(v[i], path + '[' + i + ']');
        }
        return out + ']';
      }
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        if (isJsonFloat(v)) throw floatError(v.raw, path);
        throw typeError(`an object of class ${(v as object).constructor?.name ?? 'unknown'}`, path);
      }
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj);
      let surrogates = false;
      for (const k of keys) {
        if (SURROGATE.test(k)) {
          surrogates = true;
          break;
        }
      }
      if (surrogates) keys.sort(compareCodePoints);
      else keys.sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const value = obj[k];
        if (value === undefined) continue; // an absent optional member, as JSON.stringify treats it
        if (!first) out += ',';
        first = false;
        out += encodeString(k) + ':' + encodeValue(value, path + '.' + k);
      }
      return out + '}';
    }
    default:
      throw typeError(`a value of type ${typeof v}`, path);
  }
}

/** The canonical text of `value` (a JavaScript string; see `olpcCanonicalBytes` for the signed bytes). */
export function olpcCanonicalString(value: unknown): string {
  const text = encodeValue(value, '$');
  // A lone surrogate has no UTF-8 form (Python refuses to encode it too); strings are quoted, so two lone
  // halves can never pair up across values.
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) throw typeError('a string with a lone UTF-16 surrogate', '$');
  return text;
}

/** The canonical UTF-8 bytes of `value`: what securesystemslib signs and hashes. */
export function olpcCanonicalBytes(value: unknown): Buffer {
  return Buffer.from(olpcCanonicalString(value), 'utf8');
}
