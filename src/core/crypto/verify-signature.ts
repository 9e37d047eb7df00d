/** Verify a securesystemslib signature `{keyid, sig}` (hex) over bytes with a public key. */
import type { PublicKeyJson } from './signer.js';
import { keyObjectOf } from './keys.js';
import { fromHex } from './hex.js';
import { verifyRaw } from './schemes.js';

/** True when `sigHex` is a valid signature by `key` over `data`; false for a wrong or malformed signature. */
export function verifySslibSignature(key: PublicKeyJson, sigHex: string, data: Uint8Array): boolean {
  const sig = fromHex(sigHex);
  if (sig === undefined || sig.length === 0) return false;
  return verifyRaw(key.scheme, keyObjectOf(key), data, sig);
}
