/** Strict lowercase/uppercase hex decoding for signatures and key material from untrusted files. */
import { Buffer } from 'node:buffer';

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Decode hex, or return undefined when `s` is not hex (Buffer.from would silently stop at the first bad digit). */
export function fromHex(s: string): Buffer | undefined {
  return HEX.test(s) ? Buffer.from(s, 'hex') : undefined;
}
