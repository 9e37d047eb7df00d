/**
 * Canonical bytes straight from a document's bytes, without re-encoding: when a member of a JSON object
 * (the `signed` part of in-toto or TUF metadata) is written with keys already in canonical order, no escapes
 * other than `\"` and `\\`, and integers only — as the reference writes links (sorted keys; ASCII paths) —
 * its OLPC canonical form is the same text with the insignificant whitespace removed. One pass over the bytes
 * checks all that and copies the significant bytes; anything else (an escape, a float, keys out of order or
 * repeated, a key with a backslash) returns undefined and the caller encodes the parsed value instead.
 *
 * This is what keeps `intoto verify` fast on large links: re-encoding 7 MB of parsed JSON costs several times
 * more than this scan. The bytes given must already have parsed as JSON (the scan trusts the grammar).
 */
import { Buffer } from 'node:buffer';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Compare bytes buf[as..ae) with buf[bs..be) natively (UTF-8 byte order is code-point order). */
function compareBytes(buf: Buffer, as: number, ae: number, bs: number, be: number): number {
  return buf.compare(buf, bs, be, as, ae);
}

/**
 * The next backslash at or after `from`, remembered per buffer: scans move forward, so each byte is searched
 * once (a plain indexOf per string would rescan to the end of a file that has no backslash at all).
 */
let bsBuf: Buffer | undefined;
let bsAt = -1;
function nextBackslash(buf: Buffer, from: number): number {
  if (buf !== bsBuf || (bsAt >= 0 && bsAt < from) || bsAt === -2) {
    bsBuf = buf;
    bsAt = buf.indexOf(BACKSLASH, from);
    if (bsAt < 0) bsAt = Number.MAX_SAFE_INTEGER;
  } else if (bsAt === -1) {
    bsAt = buf.indexOf(BACKSLASH, from);
    if (bsAt < 0) bsAt = Number.MAX_SAFE_INTEGER;
  }
  return bsAt;
}

/**
 * End (exclusive) of the string starting at `i` (the opening quote), or -1 if it has an escape other than \" and
 * \\ (unless `allowEscapes`). The closing quote is found with the native `indexOf`; escapes are rare.
 */
/** Whether the last string `stringEnd` passed over had an escape (set only when escapes are checked). */
let lastHadEscape = false;

function stringEnd(buf: Buffer, i: number, allowEscapes: boolean): number {
  let j = i + 1;
  lastHadEscape = false;
  for (;;) {
    const q = buf.indexOf(QUOTE, j);
    if (q < 0) return -1;
    // Count the backslashes just before the quote: an odd number escapes it.
    let b = q - 1;
    while (b > i && buf[b] === BACKSLASH) b--;
    const escapedQuote = (q - 1 - b) % 2 === 1;
    if (!allowEscapes || escapedQuote) {
      const bs = nextBackslash(buf, j);
      if (bs < q) {
        lastHadEscape = true;
        if (!allowEscapes) {
          // Only \" and \\ may appear: check every escape in [j, q].
          for (let k = bs; k < q; k++) {
            if (buf[k] === BACKSLASH) {
              const e = buf[k + 1];
              if (e !== QUOTE && e !== BACKSLASH) return -1;
              k++;
            }
          }
        }
      }
    }
    if (!escapedQuote) return q + 1;
    j = q + 1;
  }
}

/**
 * Skip whitespace from `i`; returns the index of the next significant byte.
 */
function skipSpace(buf: Buffer, i: number): number {
  while (i < buf.length && isSpace(buf[i]!)) i++;
  return i;
}

/** Skip any JSON value starting at `i` (used to pass the members before the one wanted). */
function skipValue(buf: Buffer, i: number): number {
  const c = buf[i];
  if (c === QUOTE) return stringEnd(buf, i, true);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    let j = i;
    while (j < buf.length) {
      const d = buf[j]!;
      if (d === QUOTE) {
        j = stringEnd(buf, j, true);
        if (j < 0) return -1;
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return -1;
  }
  let j = i;
  while (j < buf.length) {
    const d = buf[j]!;
    if (d === 0x2c || d === 0x7d || d === 0x5d || isSpace(d)) break;
    j++;
  }
  return j;
}

/** Where member `name`'s value starts in the top-level object, or -1. */
function memberValueStart(buf: Buffer, name: string): number {
  const want = Buffer.from(JSON.stringify(name), 'utf8');
  let i = skipSpace(buf, 0);
  if (buf[i] !== 0x7b) return -1;
  i++;
  for (;;) {
    i = skipSpace(buf, i);
    if (buf[i] !== QUOTE) return -1;
    const ke = stringEnd(buf, i, true);
    if (ke < 0) return -1;
    const isWanted = ke - i === want.length && Buffer.compare(buf.subarray(i, ke), want) === 0;
    i = skipSpace(buf, ke);
    if (buf[i] !== 0x3a) return -1;
    i = skipSpace(buf, i + 1);
    if (isWanted) return i;
    i = skipValue(buf, i);
    if (i < 0) return -1;
    i = skipSpace(buf, i);
    if (buf[i] === 0x2c) {
      i++;
      continue;
    }
    return -1;
  }
}

/**
 * The canonical bytes of the value of top-level member `name`, if they can be had by removing whitespace;
 * also the member's top-level keys (to compare with a model's fields). Undefined otherwise.
 */
export function minifiedCanonicalMember(input: Uint8Array, name: string): { bytes: Buffer; keys: string[] } | undefined {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  bsBuf = undefined;
  const start = memberValueStart(buf, name);
  if (start < 0 || buf[start] !== 0x7b) return undefined;
  const out = Buffer.allocUnsafe(buf.length - start);
  let o = 0;
  // Per open container: is it an object, and the [start, end) of its previous key in `buf` (-1 if none).
  const isObj: boolean[] = [];
  const prevKs: number[] = [];
  const prevKe: number[] = [];
  const keys: string[] = [];
  let expectKey = false;
  let i = start;
  const n = buf.length;
  while (i < n) {
    const c = buf[i]!;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    if (c === QUOTE) {
      const e = stringEnd(buf, i, false);
      if (e < 0) return undefined;
      if (expectKey) {
        const d = isObj.length - 1;
        if (lastHadEscape) return undefined; // a key with an escape: let the encoder order it
        if (prevKs[d]! >= 0 && compareBytes(buf, prevKs[d]!, prevKe[d]!, i, e) >= 0) return undefined; // unsorted or repeated
        prevKs[d] = i;
        prevKe[d] = e;
        if (d === 0) keys.push(buf.toString('utf8', i + 1, e - 1));
        expectKey = false;
      }
      buf.copy(out, o, i, e);
      o += e - i;
      i = e;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      isObj.push(c === 0x7b);
      prevKs.push(-1);
      prevKe.push(-1);
      expectKey = c === 0x7b;
      out[o++] = c;
      i++;
      continue;
    }
    if (c === 0x7d || c === 0x5d) {
      isObj.pop();
      prevKs.pop();
      prevKe.pop();
      out[o++] = c;
      i++;
      expectKey = false;
      if (isObj.length === 0) return { bytes: out.subarray(0, o), keys };
      continue;
    }
    if (c === 0x2c) {
      expectKey = isObj[isObj.length - 1]!;
      out[o++] = c;
      i++;
      continue;
    }
    if (c === 0x3a) {
      out[o++] = c;
      i++;
      continue;
    }
    // A literal (true, false, null) or a number: integers of at most 15 digits only (always safe).
    let j = i;
    while (j < n) {
      const d = buf[j]!;
      if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
      j++;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const digits = c === 0x2d ? j - i - 1 : j - i;
      if (digits < 1 || digits > 15) return undefined;
      for (let k = c === 0x2d ? i + 1 : i; k < j; k++) {
        const d = buf[k]!;
        if (d < 0x30 || d > 0x39) return undefined; // a fraction or an exponent: a float
      }
      if (c === 0x2d && digits === 1 && buf[i + 1] === 0x30) return undefined; // -0
    }
    buf.copy(out, o, i, j);
    o += j - i;
    i = j;
  }
  return undefined;
}
