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
import { JsonFloat } from '../json/parse.js';

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

function encodeString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? '"' + s.replace(ESCAPE_ALL, '\\$&') + '"' : '"' + s + '"';
}

/**
 * Keys in code-point order. Metadata written by the reference is usually sorted already (its JSON writer sorts
 * keys), so a linear check first avoids most sorts; a surrogate anywhere switches to the code-point comparison.
 */
function sortedKeys(obj: Record<string, unknown>): string[] {
  const keys = Object.keys(obj);
  const n = keys.length;
  if (n < 2) return keys;
  let surrogates = false;
  let sorted = true;
  let prev = keys[0]!;
  if (SURROGATE.test(prev)) surrogates = true;
  for (let i = 1; i < n; i++) {
    const k = keys[i]!;
    if (!surrogates && SURROGATE.test(k)) surrogates = true;
    if (sorted && !(prev < k)) sorted = false;
    prev = k;
  }
  if (surrogates) return keys.sort(compareCodePoints);
  if (!sorted) keys.sort();
  return keys;
}

/** The path of the value being encoded, kept as a stack and turned into text only for an error message. */
const where: (string | number)[] = [];

function pathText(): string {
  return '$' + where.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
}

function encodeValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return encodeString(v);
    case 'number':
      if (Number.isSafeInteger(v)) return String(v);
      if (Number.isInteger(v)) throw typeError(`the integer ${v} beyond 2^53 (pass it as a bigint)`, pathText());
      throw floatError(String(v), pathText());
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        const n = v.length;
        if (n === 0) return '[]';
        const depth = where.length;
        where.push(0);
        let out = '[' + encodeValue(v[0]);
        for (let i = 1; i < n; i++) {
          where[depth] = i;
          out += ',' + encodeValue(v[i]);
        }
        where.pop();
        return out + ']';
      }
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        if (v instanceof JsonFloat) throw floatError(v.raw, pathText());
        throw typeError(`an object of class ${(v as object).constructor?.name ?? 'unknown'}`, pathText());
      }
      const obj = v as Record<string, unknown>;
      const keys = sortedKeys(obj);
      let out = '{';
      let first = true;
      const depth = where.length;
      where.push('');
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const value = obj[k];
        if (value === undefined) continue; // an absent optional member, as JSON.stringify treats it
        where[depth] = k;
        if (first) first = false;
        else out += ',';
        out += encodeString(k) + ':' + encodeValue(value);
      }
      where.pop();
      return out + '}';
    }
    default:
      throw typeError(`a value of type ${typeof v}`, pathText());
  }
}

/**
 * Objects a parser has already vouched for (plain; keys in code-point order, none array-index-like; every key
 * and string free of characters needing an escape; only strings, safe integers, booleans, null and such
 * objects inside): the check below does not walk them again. The in-toto link parser marks the artifact
 * dictionaries of pure-ASCII files without escapes, which are most of a large link's bytes.
 */
export const CANONICAL_SAFE = new WeakSet<object>();

/** Characters for which JSON.stringify's output differs from the canonical one (it escapes them). */
const STRINGIFY_DIFFERS = /[\u0000-\u001f\ud800-\udfff]/;
/** Keys V8 enumerates before all others, in numeric order (array indexes), whatever the insertion order. */
const INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;

/**
 * True when `JSON.stringify(v)` is already the canonical text: plain objects whose keys are in code-point order
 * as enumerated, no array-index-like keys, no string needing an escape other than `"` and `\\`, only safe
 * integers. Checking is much cheaper than building the text by hand, and metadata written by the reference
 * (keys sorted) nearly always qualifies; anything else takes the general encoder.
 */
export function stringifyIsCanonical(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
      return !STRINGIFY_DIFFERS.test(v);
    case 'number':
      return Number.isSafeInteger(v) && !Object.is(v, -0);
    case 'boolean':
      return true;
    case 'object': {
      if (v === null) return true;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!stringifyIsCanonical(v[i])) return false;
        return true;
      }
      if (CANONICAL_SAFE.has(v)) return true;
      if (Object.getPrototypeOf(v) !== Object.prototype) return false;
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj);
      let prev = '';
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        if (i > 0 && !(prev < k)) return false;
        const c = k.charCodeAt(0);
        if (c >= 0x30 && c <= 0x39 && INDEX_KEY.test(k)) return false;
        if (STRINGIFY_DIFFERS.test(k)) return false;
        const value = obj[k];
        if (value === undefined || !stringifyIsCanonical(value)) return false;
        prev = k;
      }
      return true;
    }
    default:
      return false;
  }
}

/** The canonical text of `value` (a JavaScript string; see `olpcCanonicalBytes` for the signed bytes). */
export function olpcCanonicalString(value: unknown): string {
  if (stringifyIsCanonical(value)) return JSON.stringify(value);
  where.length = 0;
  const text = encodeValue(value);
  // A lone surrogate has no UTF-8 form (Python refuses to encode it too); strings are quoted, so two lone
  // halves can never pair up across values.
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) throw typeError('a string with a lone UTF-16 surrogate', '$');
  return text;
}

/** The canonical UTF-8 bytes of `value`: what securesystemslib signs and hashes. */
export function olpcCanonicalBytes(value: unknown): Buffer {
  return Buffer.from(olpcCanonicalString(value), 'utf8');
}
