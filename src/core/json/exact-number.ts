/**
 * Whether a JSON number literal survives canonicalization unchanged in value.
 *
 * RFC 8785 (JCS) §3.2.2.3 writes a number as ECMAScript writes the IEEE 754 double it parses to (the shortest
 * text that reads back to that double). I-JSON (RFC 7493 §2.2) says a document SHOULD NOT hold numbers with more
 * magnitude or precision than a double. A literal such as `9007199254740993` (2^53 + 1) or `1e-400` parses to a
 * double whose canonical text (`9007199254740992`, `0`) is another number: signing the canonical form would sign a
 * value the file does not say. `sameDecimalValue(raw, value)` tells whether the canonical text of `value` denotes
 * exactly the decimal number `raw` (so `1.50`, `1E-7`, `-0`, `1e23` pass; the literals above do not).
 *
 * Written by hand: the comparison is of two decimal strings (no library normalizes JSON number text), and it
 * needs no big-number arithmetic.
 */

/** `raw` (a JSON number literal) normalized to `[-]digits e exponent` with no leading or trailing zeros; `0` for zero. */
export function normalizeDecimal(raw: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(raw);
  if (m === null) throw new TypeError(`not a JSON number literal: ${raw}`);
  const [, sign, int, frac = '', exp = '0'] = m;
  let digits = int! + frac;
  let exponent = BigInt(exp) - BigInt(frac.length);
  const first = digits.search(/[1-9]/);
  if (first === -1) return '0'; // any zero, -0 included (RFC 8785 writes -0 as 0)
  digits = digits.slice(first);
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += BigInt(trailing);
  return `${sign}${digits}e${exponent}`;
}

/** Largest integer literal length that is exact whatever its digits: 10^15 < 2^53. */
const SAFE_INTEGER_DIGITS = 15;

/** Whether the ECMAScript (RFC 8785) text of the double `value` is the same decimal number as the literal `raw`. */
export function sameDecimalValue(raw: string, value: number): boolean {
  // Fast path: a plain integer of at most 15 digits is a safe integer, written back digit for digit.
  const digits = raw.charCodeAt(0) === 0x2d ? raw.length - 1 : raw.length;
  if (digits <= SAFE_INTEGER_DIGITS && /^-?\d+$/.test(raw)) return true;
  return normalizeDecimal(raw) === normalizeDecimal(String(value));
}
