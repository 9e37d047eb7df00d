/**
 * A layout key file (`intoto verify --layout-keys`, the layout keys `verify` fetches through TUF), its form
 * recognized from the content: an OpenPGP public key as gpg exports it (armored or binary; in-toto-verify --gpg
 * reads the same from a keyring), a GPG key dict in JSON (securesystemslib's form), or a securesystemslib
 * key file (PEM or JSON; `key-files.ts`).
 */
import { Buffer } from 'node:buffer';
import { parsePublicKeyFile, privateKeyError, privateKeyMaterialIn } from './key-files.js';
import { isGpgKeyObject, parseGpgKeyObject } from './gpg-keys.js';
import type { VerificationKey } from './verification-key.js';

/** OpenPGP key data: an armor header, or a binary packet stream (the first octet a packet tag, RFC 4880 §4.2). */
export function looksLikeOpenPgp(bytes: Uint8Array): boolean {
  if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) return true; // JSON and PEM start with ASCII
  return Buffer.from(bytes.subarray(0, 4096)).toString('latin1').includes('-----BEGIN PGP ');
}

export async function parseVerificationKeyFile(bytes: Uint8Array, source: string, flag = 'a public key file'): Promise<VerificationKey> {
  const secret = privateKeyMaterialIn(bytes);
  if (secret !== undefined) throw privateKeyError(source, flag, secret);
  if (looksLikeOpenPgp(bytes)) {
    // openpgp.js (a chunk of its own in the package bundle) loads only here: the other key forms do without it
    const { gpgKeyFromOpenPgp } = await import('./openpgp-key.js');
    return gpgKeyFromOpenPgp(bytes, source);
  }
  const text = Buffer.from(bytes).toString('utf8');
  if (text.trimStart().startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined; // parsePublicKeyFile says what is wrong
    }
    if (isGpgKeyObject(value)) return parseGpgKeyObject(value, source);
  }
  return parsePublicKeyFile(bytes, source, flag);
}
