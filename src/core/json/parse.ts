/**
 * Strict JSON parser for untrusted documents (bundles, TUF metadata, in-toto layouts and links, mappings).
 *
 * Written by hand on purpose: `JSON.parse` silently keeps the last of duplicate object keys, so two readers
 * (ours and another tool's) could see two different documents in the same signed bytes. This parser refuses a
 * duplicate key anywhere (E_JSON_DUPLICATE_KEY, naming its JSON path), bounds the input size (E_JSON_TOO_LARGE)
 * and the nesting depth (E_JSON_TOO_DEEP), and reports malformed input with line:column (E_JSON_PARSE).
 *
 * Grammar: RFC 8259 exactly (no comments, no trailing commas, no BOM, no leading zeros, no NaN/Infinity),
 * plus the I-JSON (RFC 7493) restrictions that JCS (RFC 8785) relies on: no lone surrogates in strings and
 * no number that overflows an IEEE 754 double.
 *
 * Optionally (`exactNumbers`) a number literal whose canonical (RFC 8785) text would be another number is refused
 * (E_JSON_NUMBER_PRECISION): `9007199254740993` would otherwise be read, and signed, as `9007199254740992`.
 *
 * Optionally (`markFloats`) a number literal written with a fraction or an exponent is returned as a
 * `JsonFloat`, so the OLPC canonical encoder can refuse `1.0` even though its value is an integer.
 */
import { Buffer } from 'node:buffer';
import { CnabTrustError } from '../errors.js';
import { sameDecimalValue } from './exact-number.js';
import { formatJsonPath, type JsonPathSegment } from './path.js';

/** A number literal that had a fraction or an exponent (only produced with `markFloats: true`). */
export class JsonFloat {
  constructor(
    /** The number's value as a double. */
    readonly value: number,
    /** The literal exactly as written in the document, e.g. `1.0` or `2e3`. */
    readonly raw: string,
  ) {}

  /** `JSON.stringify` and the JCS encoder see the plain number. */
  toJSON(): number {
    return this.value;
  }
}

export type JsonPrimitive = null | boolean | number | string;
export type JsonValue = JsonPrimitive | JsonFloat | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Input size bound when the caller gives none: 32 MiB. */
export const DEFAULT_MAX_JSON_BYTES = 32 * 1024 * 1024;
/** Nesting depth bound when the caller gives none (arrays and objects count one level each). */
export const DEFAULT_MAX_JSON_DEPTH = 128;

export interface JsonParseOptions {
  /** Largest input accepted, in UTF-8 bytes. Default `DEFAULT_MAX_JSON_BYTES`. */
  maxBytes?: number;
  /** Deepest nesting accepted. Default `DEFAULT_MAX_JSON_DEPTH`. */
  maxDepth?: number;
  /** Return number literals with a fraction or exponent as `JsonFloat`. Default false. */
  markFloats?: boolean;
  /**
   * Refuse a number literal that a double cannot hold as written, i.e. whose RFC 8785 (ECMAScript) text denotes
   * another decimal number: `9007199254740993` (read as ...992), `1e-400` (read as 0), `0.30000000000000001`
   * (read as 0.3). I-JSON (RFC 7493 §2.2). Default false (then such numbers are read as the nearest double).
   */
  exactNumbers?: boolean;
  /** What the document is (a file name, a role), used as the error subject. Default `JSON document`. */
  source?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parse `input` (UTF-8 bytes or a string) strictly; throws `CnabTrustError` on any violation. */
export function parseJson(input: Uint8Array | string, options: JsonParseOptions = {}): JsonValue {
  const source = options.source ?? 'JSON document';
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_JSON_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) {
    throw new CnabTrustError('E_JSON_TOO_LARGE', `${source} is ${size} bytes, more than the limit of ${maxBytes}`, {
      subject: source,
      details: { size, limit: maxBytes },
    });
  }
  let text: string;
  if (typeof input === 'string') {
    text = input;
    const lone = LONE_SURROGATE.exec(text);
    if (lone) throw parseError(text, lone.index, 'lone UTF-16 surrogate in the text', source);
  } else {
    try {
      text = utf8.decode(input);
    } catch {
      throw new CnabTrustError('E_JSON_PARSE', `malformed JSON in ${source}: the bytes are not valid UTF-8`, {
        subject: source,
      });
    }
  }
  if (text.charCodeAt(0) === 0xfeff) {
    throw parseError(text, 0, 'byte order mark before the JSON text (RFC 8259 §8.1 forbids it)', source);
  }
  const parser = new Parser(text, source, options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH, options.markFloats ?? false, options.exactNumbers ?? false);
  return parser.parseDocument();
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Line and column (both 1-based, column in UTF-16 units) of offset `pos` in `text`. */
export function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: pos - lineStart + 1 };
}

function parseError(text: string, pos: number, what: string, source: string): CnabTrustError {
  const { line, column } = lineColumn(text, pos);
  return new CnabTrustError('E_JSON_PARSE', `malformed JSON in ${source} at ${line}:${column}: ${what}`, {
    subject: source,
    details: { line, column },
  });
}

// Character codes used by the scanner.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function describeChar(text: string, pos: number): string {
  if (pos >= text.length) return 'end of input';
  const c = text.codePointAt(pos)!;
  if (c < 0x20 || c === 0x7f) return `control character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${String.fromCodePoint(c)}'`;
}

class Parser {
  private pos = 0;
  /** Path from the root to the value being parsed; kept only to name duplicate keys. */
  private readonly path: JsonPathSegment[] = [];

  constructor(
    private readonly text: string,
    private readonly source: string,
    private readonly maxDepth: number,
    private readonly markFloats: boolean,
    private readonly exactNumbers: boolean,
  ) {}

  parseDocument(): JsonValue {
    this.skipWhitespace();
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail(`unexpected ${describeChar(this.text, this.pos)} after the JSON value`);
    return value;
  }

  private fail(what: string, at: number = this.pos): never {
    throw parseError(this.text, at, what, this.source);
  }

  private skipWhitespace(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  private parseValue(depth: number): JsonValue {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case LBRACE:
        return this.parseObject(depth + 1);
      case LBRACKET:
        return this.parseArray(depth + 1);
      case QUOTE:
        return this.parseString();
      case 0x74: // t
        return this.parseLiteral('true', true);
      case 0x66: // f
        return this.parseLiteral('false', false);
      case 0x6e: // n
        return this.parseLiteral('null', null);
      default:
        if (c === MINUS || isDigit(c)) return this.parseNumber();
        return this.fail(`expected a JSON value, found ${describeChar(this.text, this.pos)}`);
    }
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth) {
      const { line, column } = lineColumn(this.text, this.pos);
      throw new CnabTrustError(
        'E_JSON_TOO_DEEP',
        `${this.source} nests deeper than the limit of ${this.maxDepth} at ${line}:${column}`,
        { subject: this.source, details: { limit: this.maxDepth, line, column, path: formatJsonPath(this.path) } },
      );
    }
  }

  private parseObject(depth: number): JsonObject {
    this.enter(depth);
    const obj: JsonObject = {};
    this.pos++; // '{'
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === RBRACE) {
      this.pos++;
      return obj;
    }
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== QUOTE) {
        this.fail(`expected a string key in object, found ${describeChar(this.text, this.pos)}`);
      }
      const keyStart = this.pos;
      const key = this.parseString();
      if (Object.prototype.hasOwnProperty.call(obj, key)) this.duplicate(key, keyStart);
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== COLON) {
        this.fail(`expected ':' after object key, found ${describeChar(this.text, this.pos)}`);
      }
      this.pos++;
      this.skipWhitespace();
      this.path.push(key);
      const value = this.parseValue(depth);
      this.path.pop();
      setMember(obj, key, value);
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === COMMA) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === RBRACE) {
        this.pos++;
        return obj;
      } else {
        this.fail(`expected ',' or '}' after object member, found ${describeChar(this.text, this.pos)}`);
      }
    }
  }

  private duplicate(key: string, at: number): never {
    const { line, column } = lineColumn(this.text, at);
    const path = formatJsonPath([...this.path, key]);
    throw new CnabTrustError(
      'E_JSON_DUPLICATE_KEY',
      `duplicate key ${JSON.stringify(key)} at ${path} in ${this.source} (${line}:${column})`,
      {
        subject: this.source,
        hint: 'a JSON object must not repeat a key: readers disagree on which value wins',
        details: { path, key, line, column },
      },
    );
  }

  /** RFC 7493 §2.2: more precision than a double holds; its canonical text would be another number. */
  private inexact(raw: string, value: number, at: number): never {
    const { line, column } = lineColumn(this.text, at);
    const path = formatJsonPath(this.path);
    const canonical = String(value);
    throw new CnabTrustError(
      'E_JSON_NUMBER_PRECISION',
      `number ${raw} at ${path} in ${this.source} (${line}:${column}) cannot be kept exactly: as a double (I-JSON, RFC 8785) it is ${canonical}`,
      {
        subject: this.source,
        hint: `a JSON number is signed as an IEEE 754 double: write ${canonical} if that is what you mean, or a string if the exact digits matter`,
        details: { path, number: raw, canonical, line, column },
      },
    );
  }

  private parseArray(depth: number): JsonValue[] {
    this.enter(depth);
    const arr: JsonValue[] = [];
    this.pos++; // '['
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === RBRACKET) {
      this.pos++;
      return arr;
    }
    for (;;) {
      this.path.push(arr.length);
      arr.push(this.parseValue(depth));
      this.path.pop();
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === COMMA) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === RBRACKET) {
        this.pos++;
        return arr;
      } else {
        this.fail(`expected ',' or ']' after array element, found ${describeChar(this.text, this.pos)}`);
      }
    }
  }

  private parseLiteral<T extends boolean | null>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`expected a JSON value, found ${describeChar(this.text, this.pos)}`);
    this.pos += word.length;
    return value;
  }

  private parseString(): string {
    const t = this.text;
    const start = ++this.pos; // after the opening quote
    let p = start;
    // Fast path: no escapes, no control characters.
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === QUOTE) {
        this.pos = p + 1;
        return t.slice(start, p);
      }
      if (c === BACKSLASH) break;
      if (c < 0x20 || Number.isNaN(c)) {
        if (Number.isNaN(c)) this.fail('unterminated string', start - 1);
        this.fail(`${describeChar(t, p)} inside a string (must be escaped)`, p);
      }
      p++;
    }
    // Slow path: build from chunks between escapes.
    let out = t.slice(start, p);
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === QUOTE) {
        this.pos = p + 1;
        return out;
      }
      if (Number.isNaN(c)) this.fail('unterminated string', start - 1);
      if (c < 0x20) this.fail(`${describeChar(t, p)} inside a string (must be escaped)`, p);
      if (c !== BACKSLASH) {
        const chunkStart = p;
        while (p < t.length) {
          const d = t.charCodeAt(p);
          if (d === QUOTE || d === BACKSLASH || d < 0x20) break;
          p++;
        }
        out += t.slice(chunkStart, p);
        continue;
      }
      const e = t.charCodeAt(p + 1);
      switch (e) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += '\\';
          break;
        case 0x2f:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const unit = this.hex4(p + 2, p);
          if (unit >= 0xd800 && unit <= 0xdbff) {
            // A high surrogate must be followed by an escaped low surrogate (I-JSON, RFC 7493 §2.1).
            const low = t.charCodeAt(p + 6) === BACKSLASH && t.charCodeAt(p + 7) === 0x75 ? this.hex4(p + 8, p + 6) : -1;
            if (low < 0xdc00 || low > 0xdfff) this.fail('lone UTF-16 surrogate escape in a string', p);
            out += String.fromCharCode(unit, low);
            p += 12;
            continue;
          }
          if (unit >= 0xdc00 && unit <= 0xdfff) this.fail('lone UTF-16 surrogate escape in a string', p);
          out += String.fromCharCode(unit);
          p += 6;
          continue;
        }
        default:
          this.fail(`invalid escape '\\${Number.isNaN(e) ? '' : t[p + 1]}' in a string`, p);
      }
      p += 2;
    }
  }

  private hex4(at: number, escapeAt: number): number {
    const digits = this.text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail('invalid \\u escape (needs four hex digits)', escapeAt);
    return parseInt(digits, 16);
  }

  private parseNumber(): number | JsonFloat {
    const t = this.text;
    const start = this.pos;
    let p = start;
    let isFloat = false;
    if (t.charCodeAt(p) === MINUS) p++;
    if (t.charCodeAt(p) === ZERO) {
      p++;
      if (isDigit(t.charCodeAt(p))) this.fail('leading zero in a number', start);
    } else if (isDigit(t.charCodeAt(p))) {
      while (isDigit(t.charCodeAt(p))) p++;
    } else {
      this.fail(`expected a digit, found ${describeChar(t, p)}`, p);
    }
    if (t.charCodeAt(p) === DOT) {
      isFloat = true;
      p++;
      if (!isDigit(t.charCodeAt(p))) this.fail(`expected a digit after '.', found ${describeChar(t, p)}`, p);
      while (isDigit(t.charCodeAt(p))) p++;
    }
    const e = t.charCodeAt(p);
    if (e === 0x65 || e === 0x45) {
      isFloat = true;
      p++;
      const s = t.charCodeAt(p);
      if (s === PLUS || s === MINUS) p++;
      if (!isDigit(t.charCodeAt(p))) this.fail(`expected a digit in the exponent, found ${describeChar(t, p)}`, p);
      while (isDigit(t.charCodeAt(p))) p++;
    }
    this.pos = p;
    const raw = t.slice(start, p);
    const value = Number(raw);
    if (!Number.isFinite(value)) this.fail(`number ${raw} is out of the range of a double (I-JSON)`, start);
    if (this.exactNumbers && !sameDecimalValue(raw, value)) this.inexact(raw, value, start);
    return isFloat && this.markFloats ? new JsonFloat(value, raw) : value;
  }
}

/**
 * `obj[key] = value` as an own data property, as JSON.parse makes it: for the key `__proto__` plain assignment
 * would change the prototype instead (a prototype-pollution path for untrusted documents).
 */
export function setMember(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
