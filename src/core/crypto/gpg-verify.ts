/**
 * GPG signatures of in-toto metadata as securesystemslib 0.26 verifies them (gpg/functions.py verify_signature,
 * gpg/rsa.py, dsa.py, eddsa.py), from the key dict alone (no OpenPGP packet is read):
 *
 *  - the signature is `{keyid, other_headers, signature}`: `other_headers` is the hashed part of the OpenPGP v4
 *    signature packet (version through hashed subpackets), `signature` the signature value (RSA: the MPI's bytes;
 *    DSA: DER (r, s); EdDSA: r || s, 64 bytes);
 *  - the signed digest is SHA-256 over content || other_headers || 0x04 0xff || len(other_headers) (4 octets,
 *    RFC 4880 §5.2.4). SHA-256 always: securesystemslib ignores the hash algorithm other_headers names;
 *  - the key is the subkey whose fingerprint is the signature's keyid, else the primary key; it has expired when
 *    `creation_time + validity_period < now` (both set and non-zero), checked before the signature;
 *  - RSA: PKCS#1 v1.5 over that digest, the signature left-padded with zeros to the hex length of `n`;
 *    DSA: FIPS 186 over that digest; EdDSA: Ed25519 over the 32 digest bytes (the digest is the message).
 *
 * The public keys are built with node:crypto from the dict's numbers (RSA as a JWK, Ed25519 as a JWK, DSA as an
 * SPKI DER since JWK has no DSA form), and verified with node:crypto: that is OpenSSL, the same code pyca/cryptography
 * (what securesystemslib uses) runs, so the verdicts are the same bit for bit, including OpenSSL's checks of the
 * signature length (RSA), DER form (DSA) and the digest truncated to q's length (DSA). openpgp.js is not used
 * here: it verifies whole OpenPGP signature packets with the hash algorithm they name and its own policy (key
 * sizes, times), which is not what securesystemslib checks.
 */
import { constants, createPublicKey, verify as nodeVerify, createHash, type KeyObject } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { CnabTrustError } from '../errors.js';
import { hexNumber, type GpgPublicKey } from './gpg-keys.js';

/** A GPG signature as the envelope carries it (securesystemslib GPG_SIGNATURE_SCHEMA). */
export interface GpgSignature {
  keyid: string;
  other_headers: string;
  signature: string;
}

export type GpgVerdict = 'ok' | 'invalid' | { expired: GpgPublicKey };

/** The key a signature by `keyid` is verified with: the subkey of that fingerprint, else the primary key. */
export function gpgVerificationKey(key: GpgPublicKey, keyid: string): GpgPublicKey {
  return key.subkeys.get(keyid) ?? key;
}

/** securesystemslib: expired when creation_time and validity_period are both set (and non-zero) and passed. */
export function gpgKeyExpired(key: GpgPublicKey, now: Date): boolean {
  const c = key.creationTime ?? 0;
  const v = key.validityPeriod ?? 0;
  return c !== 0 && v !== 0 && (c + v) * 1000 < now.getTime();
}

/** The instant a key expires, if it does. */
export function gpgKeyExpiry(key: GpgPublicKey): Date | undefined {
  const c = key.creationTime ?? 0;
  const v = key.validityPeriod ?? 0;
  return c !== 0 && v !== 0 ? new Date((c + v) * 1000) : undefined;
}

/** binascii.unhexlify: even-length hex only (a final newline, which the schema lets through, fails it). */
function unhex(s: string): Buffer | undefined {
  return /^(?:[0-9a-fA-F]{2})*$/.test(s) ? Buffer.from(s, 'hex') : undefined;
}

/** DER of a non-negative INTEGER. */
function derInteger(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  let v = bytes.subarray(i);
  if (v.length === 0) v = Buffer.from([0]);
  if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return der(0x02, v);
}

function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

/** A DSA signature as securesystemslib stores it (pyca encode_dss_signature): DER SEQUENCE { r, s }. */
export function dssSignatureDer(r: Uint8Array, s: Uint8Array): Buffer {
  return der(0x30, Buffer.concat([derInteger(Buffer.from(r)), derInteger(Buffer.from(s))]));
}

/** id-dsa (RFC 3279 §2.3.2), 1.2.840.10040.4.1 */
const ID_DSA = Buffer.from('06072a8648ce380401', 'hex');

/** The SubjectPublicKeyInfo of a DSA key (RFC 3279 §2.3.2): JWK, node's other import form, has no DSA. */
function dsaSpki(p: Buffer, q: Buffer, g: Buffer, y: Buffer): Buffer {
  const params = der(0x30, Buffer.concat([derInteger(p), derInteger(q), derInteger(g)]));
  const algorithm = der(0x30, Buffer.concat([ID_DSA, params]));
  const bitString = der(0x03, Buffer.concat([Buffer.from([0]), derInteger(y)]));
  return der(0x30, Buffer.concat([algorithm, bitString]));
}

function bitLength(b: Buffer): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return i === b.length ? 0 : (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]!));
}

const keyCache = new Map<string, KeyObject>();

/**
 * The node public key of a GPG key. pyca/cryptography refuses DSA domain parameters outside FIPS 186-4's sizes
 * (p of 1024..4096 bits, q of 160, 224 or 256 bits, 1 < g < p) with a ValueError, which ends in-toto-verify; a key
 * it cannot load is E_KEY_INVALID here.
 */
function publicKeyOf(key: GpgPublicKey, subject: string): KeyObject {
  const cacheKey = key.type + '\0' + key.keyid + '\0' + Object.values(key.numbers).join('\0');
  const hit = keyCache.get(cacheKey);
  if (hit !== undefined) return hit;
  const n = (name: string) => hexNumber(key.numbers[name]!);
  let obj: KeyObject;
  try {
    if (key.type === 'rsa') {
      obj = createPublicKey({ key: { kty: 'RSA', n: n('n').toString('base64url'), e: n('e').toString('base64url') }, format: 'jwk' });
    } else if (key.type === 'eddsa') {
      obj = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: n('q').toString('base64url') }, format: 'jwk' });
    } else {
      const [p, q, g, y] = [n('p'), n('q'), n('g'), n('y')];
      if (![1024, 2048, 3072, 4096].includes(bitLength(p)) || ![160, 224, 256].includes(bitLength(q))) throw new Error('DSA p or q of a size FIPS 186-4 does not allow');
      obj = createPublicKey({ key: dsaSpki(p, q, g, y), format: 'der', type: 'spki' });
    }
  } catch (e) {
    throw new CnabTrustError('E_KEY_INVALID', `${subject}: GPG ${key.type} key ${key.keyid} does not load: ${(e as Error).message}`, { subject });
  }
  keyCache.set(cacheKey, obj);
  return obj;
}

/**
 * Verify a GPG signature over `content` with `key` (the layout's key, primary with subkeys), as securesystemslib's
 * verify_signature does. Returns `{expired}` when the key to verify with has expired (securesystemslib's
 * KeyExpirationError), before looking at the signature.
 */
export function verifyGpgSignature(key: GpgPublicKey, sig: GpgSignature, content: Uint8Array, now: Date, subject = 'GPG key'): GpgVerdict {
  const k = gpgVerificationKey(key, sig.keyid);
  if (gpgKeyExpired(k, now)) return { expired: k };
  const headers = unhex(sig.other_headers);
  if (headers === undefined) return 'invalid';
  const trailer = Buffer.alloc(6);
  trailer[0] = 0x04;
  trailer[1] = 0xff;
  trailer.writeUInt32BE(headers.length >>> 0, 2);
  const signed = Buffer.concat([content, headers, trailer]);
  const publicKey = publicKeyOf(k, subject);
  let sigHex = sig.signature;
  if (k.type === 'rsa') {
    // gpg/rsa.py: zero-pad the signature to the hex length of n (MPIs drop leading zeros)
    const pad = k.numbers['n']!.length - sigHex.length;
    if (pad > 0) sigHex = '0'.repeat(pad) + sigHex;
  }
  const signature = unhex(sigHex);
  if (signature === undefined) return 'invalid';
  try {
    switch (k.type) {
      case 'rsa':
        return nodeVerify('sha256', signed, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature) ? 'ok' : 'invalid';
      case 'dsa':
        return nodeVerify('sha256', signed, { key: publicKey, dsaEncoding: 'der' }, signature) ? 'ok' : 'invalid';
      case 'eddsa':
        return nodeVerify(null, createHash('sha256').update(signed).digest(), publicKey, signature) ? 'ok' : 'invalid';
    }
  } catch {
    return 'invalid'; // malformed signature bytes are an invalid signature, never a crash
  }
}
