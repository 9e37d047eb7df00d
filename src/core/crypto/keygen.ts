/**
 * New keys for the three schemes, and their files in the form in-toto 1.3.1 (`in-toto-keygen`) writes them:
 *  - rsa (3072 bits): private PKCS#1 PEM (label `RSA PRIVATE KEY`), public SPKI PEM (`NAME.pub`);
 *  - ed25519, ecdsa: JSON key files; the private one carries `keyid` and `keyval.private`
 *    (ed25519: hex seed; ecdsa: EC PRIVATE KEY PEM), the public one `keyid_hash_algorithms` and `keyval.public`.
 * Writing them (mode 0600, atomically) is the caller's business.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { sslibPublicKeyOf, type SslibPublicKey } from './keys.js';
import type { SignatureScheme } from './signer.js';

export interface GeneratedKey {
  publicKey: SslibPublicKey;
  privateKey: KeyObject;
  /** The private key file's text (secret). */
  privateFile: string;
  /** The public key file's text. */
  publicFile: string;
}

export type KeyKind = 'ed25519' | 'ecdsa' | 'rsa';

/** The JSON public key file text for a key (what `in-toto-keygen` writes as `NAME.pub` for ed25519/ecdsa). */
export function publicKeyFileJson(key: SslibPublicKey): string {
  return JSON.stringify({
    keytype: key.keytype,
    scheme: key.scheme,
    keyid_hash_algorithms: key.keyid_hash_algorithms,
    keyval: { public: key.keyval.public },
  });
}

export function generateKey(kind: KeyKind, rsaBits = 3072): GeneratedKey {
  const privateKey =
    kind === 'ed25519'
      ? generateKeyPairSync('ed25519').privateKey
      : kind === 'ecdsa'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
        : generateKeyPairSync('rsa', { modulusLength: rsaBits, publicExponent: 65537 }).privateKey;
  const publicKey = sslibPublicKeyOf(privateKey, kind);
  if (kind === 'rsa') {
    return {
      publicKey,
      privateKey,
      privateFile: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
      publicFile: publicKey.keyval.public + '\n',
    };
  }
  let privateValue: string;
  if (kind === 'ed25519') {
    // The seed is the last 32 bytes of the PKCS#8 DER (RFC 8410); not via JWK (Node 20 deadlock, see keys.ts).
    const der = privateKey.export({ type: 'pkcs8', format: 'der' });
    privateValue = der.subarray(der.length - 32).toString('hex');
  } else {
    privateValue = privateKey.export({ type: 'sec1', format: 'pem' }) as string;
  }
  const privateFile = JSON.stringify({
    keytype: publicKey.keytype,
    scheme: publicKey.scheme,
    keyid: publicKey.keyid,
    keyid_hash_algorithms: publicKey.keyid_hash_algorithms,
    keyval: { public: publicKey.keyval.public, private: privateValue },
  });
  return { publicKey, privateKey, privateFile, publicFile: publicKeyFileJson(publicKey) };
}
