/**
 * The keys in-toto 1.3.1 verifies with (securesystemslib ANY_PUBKEY_SCHEMA): a securesystemslib key
 * (ed25519, ecdsa, rsa; `keytype`/`scheme`) or a GPG key dict (`type`/`method`; `gpg-keys.ts`).
 */
import { isGpgKeyObject, parseGpgKeyObject, type GpgPublicKey } from './gpg-keys.js';
import { parseSslibKeyObject, type SslibPublicKey } from './keys.js';

export type VerificationKey = SslibPublicKey | GpgPublicKey;

/** Check a key object of a layout's `keys` (or a JSON key file), of either form. */
export function parseVerificationKeyObject(value: unknown, subject: string): VerificationKey {
  return isGpgKeyObject(value) ? parseGpgKeyObject(value, subject) : parseSslibKeyObject(value, subject);
}
