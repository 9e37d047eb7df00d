/**
 * The three securesystemslib signature schemes on node:crypto (signatures are raw bytes; metadata carries hex):
 *  - ed25519: 64-byte R||S (RFC 8032);
 *  - ecdsa-sha2-nistp256: ECDSA over SHA-256, ASN.1 DER (r, s) as `cryptography` encodes it;
 *  - rsassa-pss-sha256: PSS with MGF1-SHA-256; signing uses a 32-byte salt (the digest size, as
 *    securesystemslib 0.26 does) and verifying accepts any salt length (securesystemslib verifies with AUTO).
 */
import { constants, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import type { SignatureScheme } from './signer.js';

export function verifyRaw(scheme: SignatureScheme, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    switch (scheme) {
      case 'ed25519':
        return nodeVerify(null, data, key, signature);
      case 'ecdsa-sha2-nistp256':
        return nodeVerify('sha256', data, { key, dsaEncoding: 'der' }, signature);
      case 'rsassa-pss-sha256':
        return nodeVerify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
    }
  } catch {
    return false; // malformed signature bytes are an invalid signature, never a crash
  }
}

export function signRaw(scheme: SignatureScheme, key: KeyObject, data: Uint8Array): Uint8Array {
  switch (scheme) {
    case 'ed25519':
      return nodeSign(null, data, key);
    case 'ecdsa-sha2-nistp256':
      return nodeSign('sha256', data, { key, dsaEncoding: 'der' });
    case 'rsassa-pss-sha256':
      return nodeSign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  }
}
