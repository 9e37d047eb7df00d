/**
 * The fast lane for reading a link file: two passes over the bytes, with no intermediate objects, that check
 * the JSON, produce the signing bytes (the canonical encoding of the link model) and collect the artifacts as
 * tables. Pass 1 drops the whitespace between tokens and writes each string in canonical form; what it writes
 * is the canonical text of the whole document when the checks of pass 2 hold, so the signing bytes are a slice
 * of it. Pass 2 reads the structure from that text.
 *
 * Why by hand: verifying a chain of 20,000-artifact links is dominated by `JSON.parse` building 60,000 objects,
 * re-encoding them canonically and collecting the garbage (the target is 10x the reference's speed as a whole
 * process, bench/intoto.bench.ts; docs/adr/0004-link-fast-lane.md). No JSON library produces canonical bytes and a compact table in one pass.
 *
 * The lane is taken only for files where its result is provably the general path's result
 * (`parseMetablock(JSON.parse(text))` then `olpcCanonicalBytes(model)`):
 *  - ASCII only, escapes only of ASCII characters other than `"` and `\` (their canonical form is the
 *    character itself);
 *  - every object's keys in strictly increasing order (the canonical order is the file's; no key repeats);
 *  - integers only (no fraction, exponent, `-0`, leading zero or more than 15 digits);
 *  - `signed` holding exactly the seven members of the link model (the model adds and drops nothing), each of
 *    the right type;
 *  - artifacts exactly `{"sha256": <64 lowercase hex digits>}`, at paths that cannot climb out of their directory.
 * That is what in-toto writes. Anything else returns `undefined` and the caller takes the general path, which
 * gives the same verdict and the precise error: this lane never reports an error itself.
 */
import { Buffer } from 'node:buffer';
import { ArtifactTable, Sha256Words } from './artifact-table.js';

export interface ScannedLink {
  /** The envelope's `signatures` as parsed (checked by the caller as for any metadata). */
  signatures: unknown;
  /** The canonical bytes of the link model: what its signatures cover. */
  signedBytes: Uint8Array;
  name: string | null;
  command: string[];
  byproducts: Record<string, unknown>;
  environment: Record<string, unknown>;
  materials: ArtifactTable;
  products: ArtifactTable;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const DOT = 0x2e;
const SLASH = 0x2f;
const COLON = 0x3a;
const MINUS = 0x2d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

/** JSON whitespace. */
const WHITESPACE = new Uint8Array(256);
for (const c of [SPACE, TAB, LF, CR]) WHITESPACE[c] = 1;
/** The bytes a plain string may hold: printable ASCII (and DEL) but `"` and the backslash of an escape. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c <= 0x7f; c++) PLAIN[c] = 1;
PLAIN[QUOTE] = 0;
PLAIN[BACKSLASH] = 0; // an escape
/** Bytes that may touch inside a token outside strings (a number or literal): whitespace must not split them. */
const SCALAR = new Uint8Array(256).fill(1);
for (const c of '{}[],:"\0 \t\n\r') SCALAR[c.charCodeAt(0)] = 0;
/** The value of a lowercase hex digit; 16 for any other byte. */
const NIBBLE = new Uint8Array(256).fill(16);
for (let v = 0; v < 16; v++) NIBBLE['0123456789abcdef'.charCodeAt(v)] = v;
/** `":{"sha256":"`: what follows an artifact path when its only hash is SHA-256 (every link in-toto records). */
const SHA256_ENTRY = new TextEncoder().encode('":{"sha256":"');

const MAX_DEPTH = 64;

/** Thrown inside the scanner to leave the fast lane; never escapes `scanLink`. */
const BAIL = Symbol('bail');

const LITERALS: [Uint8Array, unknown][] = [
  [new TextEncoder().encode('true'), true],
  [new TextEncoder().encode('false'), false],
  [new TextEncoder().encode('null'), null],
];

/** The link model's members, in canonical order: the lane requires exactly these. */
const LINK_MEMBERS = ['_type', 'byproducts', 'command', 'environment', 'materials', 'name', 'products'] as const;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The byte an escape `\\x` stands for (`\\u` aside), or -1 for `\\"`, `\\\\` and anything else. */
const ESCAPED = new Int16Array(256).fill(-1);
ESCAPED[0x6e] = LF; // \n
ESCAPED[0x74] = TAB; // \t
ESCAPED[0x72] = CR; // \r
ESCAPED[0x62] = 0x08; // \b
ESCAPED[0x66] = 0x0c; // \f
ESCAPED[SLASH] = SLASH; // \/
/** Hex digit values for `\\uXXXX` (either case); 16 for any other byte. */
const HEX_VALUE = new Uint8Array(256).fill(16);
for (let v = 0; v < 16; v++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(v)] = v;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(v)] = v;
}

/**
 * The byte of the escape at `src[p]` (a backslash), or -1. The canonical encoding escapes only `"` and `\\` and
 * writes every other character as itself, so an escape of an ASCII character becomes that byte. Escapes of `"`,
 * `\\` and non-ASCII characters are rare in links and left to the general path.
 */
function unescapeAt(src: Uint8Array, p: number): number {
  const e = src[p + 1]!;
  if (e !== 0x75) return ESCAPED[e]!;
  const v = (HEX_VALUE[src[p + 2]!]! << 12) | (HEX_VALUE[src[p + 3]!]! << 8) | (HEX_VALUE[src[p + 4]!]! << 4) | HEX_VALUE[src[p + 5]!]!;
  return v >= 0x80 || v === QUOTE || v === BACKSLASH ? -1 : v; // a digit over 15 makes v >= 0x80 too
}

/**
 * Pass 1: copy `src` (ending in a NUL sentinel) to `out` without the whitespace outside strings, and with each
 * string in its canonical form, checking that every string is ASCII. Returns the length written, or -1 to leave
 * the lane. Kept tiny on purpose: in a one-shot process a small loop is optimized within microseconds.
 */
function stripWhitespace(src: Uint8Array, length: number, out: Uint8Array): number {
  let p = 0;
  let q = 0;
  let c = src[0]!;
  for (;;) {
    while (c !== QUOTE) {
      if (WHITESPACE[c] === 1) {
        do c = src[++p]!;
        while (WHITESPACE[c] === 1);
        // `tr ue` or `1 2` is not JSON: whitespace may not be dropped from inside a token
        if (SCALAR[c] === 1 && q > 0 && SCALAR[out[q - 1]!] === 1) return -1;
        continue;
      }
      if (c === 0) return p === length ? q : -1; // the sentinel, or a NUL in the input
      out[q++] = c;
      c = src[++p]!;
    }
    out[q++] = c;
    c = src[++p]!;
    for (;;) {
      while (PLAIN[c] === 1) {
        out[q++] = c;
        c = src[++p]!;
      }
      if (c === QUOTE) break;
      if (c !== BACKSLASH) return -1; // a control or non-ASCII byte, or the end of the input
      const v = unescapeAt(src, p);
      if (v < 0) return -1;
      out[q++] = v;
      p += src[p + 1] === 0x75 ? 6 : 2;
      c = src[p]!;
    }
    out[q++] = c;
    c = src[++p]!;
  }
}

/** `[aStart, aEnd)` sorts strictly before `[bStart, bEnd)` of `s`, byte by byte (ASCII: code-point order). */
function before(s: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const la = aEnd - aStart;
  const lb = bEnd - bStart;
  const n = la < lb ? la : lb;
  let k = 0;
  while (k < n && s[aStart + k] === s[bStart + k]) k++;
  return k === n ? la < lb : s[aStart + k]! < s[bStart + k]!;
}

/** A path that could climb out of its directory (absolute, a drive, any `..`): the general path decides. */
function risky(s: Uint8Array, start: number, end: number): boolean {
  if (end > start && (s[start] === SLASH || s[start + 1] === COLON)) return true;
  for (let k = start + 1; k < end; k++) if (s[k] === DOT && s[k - 1] === DOT) return true;
  return false;
}

/**
 * Pass 2: the structure, over the stripped bytes (`b`, NUL-terminated; every string in it known plain, so a
 * string ends at the next `"`). The stripped bytes are the canonical text: `signed`'s slice of them is what the
 * signatures cover.
 */
class Parser {
  pos = 0;

  constructor(
    readonly b: Uint8Array,
    readonly text: string,
  ) {}

  expect(byte: number): void {
    if (this.b[this.pos] !== byte) throw BAIL;
    this.pos++;
  }

  /** A string at `pos`; returns the start of its content (its end is `pos - 1`). */
  string(): number {
    const b = this.b;
    if (b[this.pos] !== QUOTE) throw BAIL;
    const start = this.pos + 1;
    let p = start;
    while (b[p] !== QUOTE) p++;
    this.pos = p + 1;
    return start;
  }

  stringValue(): string {
    const start = this.string();
    return this.text.slice(start, this.pos - 1);
  }

  /** Any JSON value whose canonical form is its own (stripped) text (see the module comment). */
  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw BAIL;
    const b = this.b;
    const c = b[this.pos]!;
    if (c === QUOTE) return this.stringValue();
    if (c === LBRACE) {
      const obj: Record<string, unknown> = {};
      if (b[++this.pos] === RBRACE) {
        this.pos++;
        return obj;
      }
      let prevStart = -1;
      let prevEnd = -1;
      for (;;) {
        const k = this.string();
        const kEnd = this.pos - 1;
        if (prevStart >= 0 && !before(b, prevStart, prevEnd, k, kEnd)) throw BAIL;
        prevStart = k;
        prevEnd = kEnd;
        const key = this.text.slice(k, kEnd);
        if (key === '__proto__') throw BAIL;
        this.expect(COLON);
        obj[key] = this.value(depth + 1);
        if (this.separator(RBRACE)) return obj;
      }
    }
    if (c === LBRACKET) {
      const list: unknown[] = [];
      if (b[++this.pos] === RBRACKET) {
        this.pos++;
        return list;
      }
      for (;;) {
        list.push(this.value(depth + 1));
        if (this.separator(RBRACKET)) return list;
      }
    }
    if (c === MINUS || (c >= 0x30 && c <= 0x39)) return this.integer();
    for (const [word, v] of LITERALS) if (this.word(word)) return v;
    throw BAIL;
  }

  /** After a member or element: a comma (false) or the closing bracket (true). */
  separator(close: number): boolean {
    const sep = this.b[this.pos++];
    if (sep === close) return true;
    if (sep !== COMMA) throw BAIL;
    return false;
  }

  word(word: Uint8Array): boolean {
    for (let k = 0; k < word.length; k++) if (this.b[this.pos + k] !== word[k]) return false;
    this.pos += word.length;
    return true;
  }

  /** An integer in canonical form: `-?(0|[1-9][0-9]*)`, not `-0`, at most 15 digits (exact as a double). */
  integer(): number {
    const b = this.b;
    const start = this.pos;
    let p = start;
    if (b[p] === MINUS) p++;
    const first = p;
    while (b[p]! >= 0x30 && b[p]! <= 0x39) p++;
    const digits = p - first;
    if (digits === 0 || digits > 15 || (digits > 1 && b[first] === 0x30)) throw BAIL;
    const c = b[p];
    if (c === DOT || c === 0x65 || c === 0x45) throw BAIL; // a fraction or an exponent
    const n = Number(this.text.slice(start, p));
    if (Object.is(n, -0)) throw BAIL;
    this.pos = p;
    return n;
  }

  /**
   * An artifact dictionary into a table. The lane takes exactly what in-toto records: entries
   * `"path":{"sha256":"<64 lowercase hex digits>"}`, paths strictly increasing and none climbing out. Any other
   * hash (another algorithm, uppercase hex, a second digest) leaves the lane. The hot loop: every byte of a big
   * link passes here.
   */
  artifacts(): ArtifactTable {
    const b = this.b;
    const text = this.text;
    let p = this.pos;
    if (b[p] !== LBRACE) throw BAIL;
    p++;
    if (b[p] === RBRACE) {
      this.pos = p + 1;
      return ArtifactTable.EMPTY;
    }
    const paths: string[] = [];
    // An entry takes at least 81 bytes (`"":{"sha256":"` 64 digits `"}`): an upper bound for the words needed.
    const words = new Int32Array(8 * (Math.floor((b.length - p) / 81) + 1));
    let n = 0;
    let prevStart = -1;
    let prevEnd = -1;
    for (;;) {
      if (b[p] !== QUOTE) throw BAIL;
      const ps = p + 1;
      p = ps;
      while (b[p] !== QUOTE) p++;
      if ((prevStart >= 0 && !before(b, prevStart, prevEnd, ps, p)) || risky(b, ps, p)) throw BAIL;
      prevStart = ps;
      prevEnd = p;
      paths.push(text.slice(ps, p));
      for (let k = 0; k < 13; k++) if (b[p + k] !== SHA256_ENTRY[k]) throw BAIL;
      p += 13;
      for (let w = 8 * n; w < 8 * n + 8; w++) {
        let v = 0;
        for (let k = 0; k < 8; k++) {
          const x = NIBBLE[b[p++]!]!;
          if (x > 15) throw BAIL;
          v = (v << 4) | x;
        }
        words[w] = v;
      }
      n++;
      if (b[p] !== QUOTE || b[p + 1] !== RBRACE) throw BAIL;
      p += 2;
      const sep = b[p++];
      if (sep === RBRACE) break;
      if (sep !== COMMA) throw BAIL;
    }
    this.pos = p;
    return new ArtifactTable(paths, new Sha256Words(words.subarray(0, 8 * n)), true);
  }

  /** The `signed` object of a link, exactly the model's seven members in order. */
  signedLink(): Omit<ScannedLink, 'signatures' | 'signedBytes'> {
    this.expect(LBRACE);
    const r: Partial<Omit<ScannedLink, 'signatures' | 'signedBytes'>> = {};
    for (let m = 0; m < LINK_MEMBERS.length; m++) {
      if (m > 0) this.expect(COMMA);
      if (this.stringValue() !== LINK_MEMBERS[m]) throw BAIL;
      this.expect(COLON);
      switch (LINK_MEMBERS[m]) {
        case '_type':
          if (this.stringValue() !== 'link') throw BAIL;
          break;
        case 'byproducts':
        case 'environment': {
          const v = this.value(1);
          if (!isPlainObject(v)) throw BAIL;
          r[LINK_MEMBERS[m] as 'byproducts' | 'environment'] = v;
          break;
        }
        case 'command': {
          const v = this.value(1);
          if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw BAIL;
          r.command = v as string[];
          break;
        }
        case 'name': {
          const v = this.value(1);
          if (v !== null && typeof v !== 'string') throw BAIL;
          r.name = v;
          break;
        }
        default:
          r[LINK_MEMBERS[m] as 'materials' | 'products'] = this.artifacts();
      }
    }
    this.expect(RBRACE);
    return r as Omit<ScannedLink, 'signatures' | 'signedBytes'>;
  }

  /** The envelope: `signed` (a link) and `signatures`, other members skipped, nothing after it. */
  envelope(length: number): ScannedLink {
    this.expect(LBRACE);
    let signatures: unknown;
    let signed: Omit<ScannedLink, 'signatures' | 'signedBytes'> | undefined;
    let signedBytes: Uint8Array | undefined;
    const seen = new Set<string>();
    for (;;) {
      const key = this.stringValue();
      if (seen.has(key)) throw BAIL; // JSON.parse would keep the last one: left to the general path
      seen.add(key);
      this.expect(COLON);
      if (key === 'signed') {
        const from = this.pos;
        signed = this.signedLink();
        signedBytes = this.b.subarray(from, this.pos);
      } else {
        const v = this.value(1);
        if (key === 'signatures') signatures = v;
      }
      if (this.separator(RBRACE)) break;
    }
    if (this.pos !== length || signed === undefined || signedBytes === undefined) throw BAIL;
    return { ...signed, signatures, signedBytes };
  }
}

/**
 * Read a link file through the fast lane, or return undefined when the file is not of the shape the lane
 * proves equivalent for (the caller then parses it the general way).
 */
export function scanLink(bytes: Uint8Array): ScannedLink | undefined {
  const src = new Uint8Array(bytes.length + 1); // + the NUL sentinel
  src.set(bytes);
  // Pass 1 writes in place: it never writes ahead of where it reads (it only drops bytes and turns 2- or
  // 6-byte escapes into one byte).
  const stripped = src;
  const length = stripWhitespace(src, bytes.length, stripped);
  if (length < 0) return undefined;
  stripped[length] = 0; // the sentinel again
  const text = Buffer.from(stripped.buffer, 0, length).toString('latin1');
  try {
    return new Parser(stripped, text).envelope(length);
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}
