/**
 * securesystemslib key formats (the ones in-toto 1.3.1 reads and writes) and their keyids.
 *
 *  - ed25519: `keyval.public` is 64 hex digits (the raw 32-byte key); JSON key files.
 *  - ecdsa (`ecdsa-sha2-nistp256`): `keyval.public` is an SPKI PEM *with* its trailing newline (as the
 *    `cryptography` package writes it); JSON key files.
 *  - rsa (`rsassa-pss-sha256`): PEM files. securesystemslib keeps the PEM from the BEGIN line to the END line
 *    only, so `keyval.public` has *no* trailing newline, whatever the file had.
 *
 * keyid (securesystemslib < 1.0, hence in-toto 1.3.1): SHA-256 of the OLPC canonical JSON of
 * `{keytype, scheme, keyid_hash_algorithms: ["sha256","sha512"], keyval: {public}}`. The
 * `keyid_hash_algorithms` member is ALWAYS part of the hashed bytes (securesystemslib 0.26 adds its default
 * even when the key file has none); newer securesystemslib leaves it out and gets another keyid
 * (`vectors/keys.json` has both). A key's type is recognized from the file's content.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { CnabTrustError } from '../errors.js';
import { olpcCanonicalString } from '../canonical/olpc.js';
import type { PublicKeyJson, SignatureScheme } from './signer.js';
import { fromHex } from './hex.js';

/** The hash algorithms securesystemslib 0.26 writes into every key (and hashes into every keyid). */
export const SSLIB_KEYID_HASH_ALGORITHMS: readonly string[] = ['sha256', 'sha512'];

/** A public key with its keyid, as in-toto layouts carry them in `keys`. */
export interface SslibPublicKey extends PublicKeyJson {
  keyid: string;
}

const SCHEME_OF_KEYTYPE: Record<string, SignatureScheme> = {
  ed25519: 'ed25519',
  ecdsa: 'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp256': 'ecdsa-sha2-nistp256',
  rsa: 'rsassa-pss-sha256',
};

function keyError(message: string, subject: string, hint?: string): CnabTrustError {
  return new CnabTrustError('E_KEY_INVALID', message, hint === undefined ? { subject } : { subject, hint });
}

/** SHA-256 hex of the canonical JSON of the key's public part, `keyid_hash_algorithms` included when present. */
export function keyidOfKeyJson(key: PublicKeyJson): string {
  const meta: Record<string, unknown> = { keytype: key.keytype, scheme: key.scheme, keyval: { public: key.keyval.public } };
  if (key.keyid_hash_algorithms !== undefined) meta['keyid_hash_algorithms'] = key.keyid_hash_algorithms;
  return createHash('sha256').update(olpcCanonicalString(meta), 'utf8').digest('hex');
}

/** The keyid securesystemslib 0.26 / in-toto 1.3.1 computes (always with the default keyid_hash_algorithms). */
export function sslibKeyid(key: PublicKeyJson): string {
  return keyidOfKeyJson({ ...key, keyid_hash_algorithms: [...SSLIB_KEYID_HASH_ALGORITHMS] });
}

/** securesystemslib's `extract_pem`: the text from the BEGIN line to the end of the END line (no trailing newline). */
export function extractPem(text: string, label: string): string | undefined {
  const header = `-----BEGIN ${label}-----`;
  const footer = `-----END ${label}-----`;
  const start = text.indexOf(header);
  if (start < 0) return undefined;
  const end = text.indexOf(footer, start + header.length);
  if (end < 0) return undefined;
  return text.slice(start, end + footer.length);
}

/** The securesystemslib public key of a node KeyObject (public or private). */
export function sslibPublicKeyOf(key: KeyObject, subject: string): SslibPublicKey {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  let json: PublicKeyJson;
  switch (pub.asymmetricKeyType) {
    case 'ed25519': {
      // The raw key is the last 32 bytes of the SPKI DER (RFC 8410). Not via JWK export: on Node 20, exporting a key
      // made by generateKeyPairSync as JWK can deadlock when a GC runs during the export (KeyGenJob destructor
      // waits on the key's mutex, which the export holds); reproduced here, DER export does not allocate under it.
      const der = pub.export({ type: 'spki', format: 'der' });
      json = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: der.subarray(der.length - 32).toString('hex') } };
      break;
    }
    case 'ec': {
      if (pub.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new CnabTrustError('E_KEY_UNSUPPORTED', `ECDSA key on curve ${pub.asymmetricKeyDetails?.namedCurve ?? '?'}: only P-256 is supported`, {
          subject,
        });
      }
      json = { keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256', keyval: { public: pub.export({ type: 'spki', format: 'pem' }) as string } };
      break;
    }
    case 'rsa': {
      const pem = (pub.export({ type: 'spki', format: 'pem' }) as string).trimEnd();
      json = { keytype: 'rsa', scheme: 'rsassa-pss-sha256', keyval: { public: pem } };
      break;
    }
    default:
      throw new CnabTrustError('E_KEY_UNSUPPORTED', `unsupported key type ${pub.asymmetricKeyType ?? '?'}`, { subject });
  }
  json.keyid_hash_algorithms = [...SSLIB_KEYID_HASH_ALGORITHMS];
  return { ...json, keyid: sslibKeyid(json) };
}

/**
 * Check and normalize a securesystemslib key object (from a key file or a layout's `keys`): keytype, scheme,
 * public key material that node can load. Returns it with its computed keyid; a `keyid` member that differs
 * from the computed one is refused (E_KEYID_MISMATCH).
 */
export function parseSslibKeyObject(value: unknown, subject: string): SslibPublicKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw keyError(`${subject} is not a key object`, subject);
  const o = value as Record<string, unknown>;
  const { keytype, scheme, keyval } = o;
  if (typeof keytype !== 'string' || typeof scheme !== 'string') throw keyError(`${subject} has no keytype/scheme strings`, subject);
  if (typeof keyval !== 'object' || keyval === null || typeof (keyval as { public?: unknown }).public !== 'string') {
    throw keyError(`${subject} has no keyval.public string`, subject);
  }
  const expectedScheme = SCHEME_OF_KEYTYPE[keytype];
  if (expectedScheme === undefined || expectedScheme !== scheme) {
    throw new CnabTrustError('E_KEY_UNSUPPORTED', `${subject}: unsupported keytype/scheme ${keytype}/${scheme}`, {
      subject,
      hint: 'supported: ed25519/ed25519, ecdsa/ecdsa-sha2-nistp256, rsa/rsassa-pss-sha256',
    });
  }
  const algs = o['keyid_hash_algorithms'];
  if (algs !== undefined && !(Array.isArray(algs) && algs.every((a) => typeof a === 'string'))) {
    throw keyError(`${subject}: keyid_hash_algorithms must be a list of strings`, subject);
  }
  const json: PublicKeyJson = {
    keytype: keytype as PublicKeyJson['keytype'],
    scheme: scheme as SignatureScheme,
    keyval: { public: (keyval as { public: string }).public },
    keyid_hash_algorithms: algs === undefined ? [...SSLIB_KEYID_HASH_ALGORITHMS] : (algs as string[]),
  };
  keyObjectOf(json, subject); // the material must load
  const keyid = sslibKeyid(json);
  if (o['keyid'] !== undefined && o['keyid'] !== keyid) {
    throw new CnabTrustError('E_KEYID_MISMATCH', `${subject}: keyid ${String(o['keyid'])} does not match the key (computed ${keyid})`, {
      subject,
      details: { declared: o['keyid'], computed: keyid },
    });
  }
  return { ...json, keyid };
}

const keyObjectCache = new Map<string, KeyObject>();

/** The node public KeyObject of a securesystemslib public key (cached: verifying 1000 links loads a key once). */
export function keyObjectOf(key: PublicKeyJson, subject = 'key'): KeyObject {
  const cacheKey = key.scheme + '\0' + key.keyval.public;
  const hit = keyObjectCache.get(cacheKey);
  if (hit !== undefined) return hit;
  let obj: KeyObject;
  try {
    if (key.scheme === 'ed25519') {
      const raw = fromHex(key.keyval.public);
      if (raw === undefined || raw.length !== 32) throw new Error('ed25519 public key must be 64 hex digits');
      obj = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    } else {
      obj = createPublicKey({ key: key.keyval.public, format: 'pem' });
      const want = key.scheme === 'rsassa-pss-sha256' ? 'rsa' : 'ec';
      if (obj.asymmetricKeyType !== want) throw new Error(`PEM holds a ${obj.asymmetricKeyType ?? '?'} key, scheme is ${key.scheme}`);
      if (want === 'ec' && obj.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('ECDSA key is not on P-256');
    }
  } catch (e) {
    throw keyError(`${subject}: public key material does not load: ${(e as Error).message}`, subject);
  }
  keyObjectCache.set(cacheKey, obj);
  return obj;
}
