/**
 * OpenPGP (GPG) public keys as securesystemslib 0.26 writes them into in-toto 1.3.1 layouts
 * (`in-toto-run --gpg`, `Layout.add_functionary_key_from_gpg_keyid`, `in-toto-verify --gpg`): a JSON dict, not an
 * OpenPGP packet, with the key's numbers in hex.
 *
 *   {"type": "rsa"|"dsa"|"eddsa", "method": "pgp+rsa-pkcsv1.5"|"pgp+dsa-fips-180-2"|"pgp+eddsa-ed25519",
 *    "hashes": ["pgp+SHA2"], "keyid": <v4 fingerprint, 40 hex>, "creation_time": <unix seconds>,
 *    "validity_period": <seconds>, "keyval": {"public": {"n","e"} | {"p","q","g","y"} | {"q"}, "private": ""},
 *    "subkeys": {<fingerprint>: <the same form, same type>}}
 *
 * Checked as securesystemslib's GPG_PUBKEY_SCHEMA checks it (GPG_RSA/DSA/ED25519_PUBKEY_SCHEMA; subkeys of the
 * primary key's own schema, so of its type). One stricter check, on purpose, like the keyid check of the other key
 * forms: the `keyid` must be the key's OpenPGP v4 fingerprint, computed from its numbers and `creation_time`
 * (RFC 4880 §12.2), and each subkey's dict key its own; so a key without `creation_time` (securesystemslib always
 * writes one) is refused too. in-toto 1.3.1 does not check the keyid, and would authorize links under any id.
 */
import { createHash } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { CnabTrustError } from '../errors.js';

export type GpgKeyType = 'rsa' | 'dsa' | 'eddsa';

/** A parsed GPG key of a layout or a layout key file. */
export interface GpgPublicKey {
  kind: 'gpg';
  keyid: string;
  type: GpgKeyType;
  /** Hex numbers as the dict has them: n, e (rsa); p, q, g, y (dsa); q (eddsa, the 32-byte point). */
  numbers: Readonly<Record<string, string>>;
  creationTime?: number;
  validityPeriod?: number;
  /** Subkeys by fingerprint (the dict's keys). */
  subkeys: ReadonlyMap<string, GpgPublicKey>;
  /** The dict as it was given (written back unchanged into layouts). */
  json: Record<string, unknown>;
}

/** securesystemslib's method string and OpenPGP public-key algorithm id (RFC 4880 §9.1) of each type. */
export const GPG_KEY_TYPES: Readonly<Record<GpgKeyType, { method: string; algorithm: number; numbers: readonly string[] }>> = {
  rsa: { method: 'pgp+rsa-pkcsv1.5', algorithm: 1, numbers: ['n', 'e'] },
  dsa: { method: 'pgp+dsa-fips-180-2', algorithm: 17, numbers: ['p', 'q', 'g', 'y'] },
  eddsa: { method: 'pgp+eddsa-ed25519', algorithm: 22, numbers: ['q'] },
};

export const GPG_HASH_ALGORITHM_STRING = 'pgp+SHA2';

/** The Ed25519 curve OID of OpenPGP EdDSA keys (RFC 4880bis §9.2), and the native point prefix (§13.3). */
const ED25519_OID = Buffer.from('2b06010401da470f01', 'hex');
const ED25519_POINT_PREFIX = 0x40;

/** securesystemslib HEX_SCHEMA: `re.match("[a-fA-F0-9]+$")`, so a final newline passes. */
const SSLIB_HEX = /^[a-fA-F0-9]+\n?$/;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when a key object is of the GPG form (securesystemslib keys have `keytype`, GPG keys `method`/`type`). */
export function isGpgKeyObject(value: unknown): boolean {
  return isObject(value) && value['keytype'] === undefined && (value['method'] !== undefined || value['type'] !== undefined);
}

export function isGpgKey(key: object): key is GpgPublicKey {
  return (key as { kind?: unknown }).kind === 'gpg';
}

function invalid(subject: string, what: string): CnabTrustError {
  return new CnabTrustError('E_KEY_INVALID', `${subject}: ${what}`, {
    subject,
    hint: 'a GPG key in a layout has the form securesystemslib writes (in-toto-run --gpg, in-toto-verify --gpg)',
  });
}

/** securesystemslib Integer schema: an int that is not a bool, within bounds. */
function integer(v: unknown, lo: number, hi: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= lo && v <= hi;
}

/** Hex string to bytes, odd lengths read as numbers (a leading 0), as python's int(x, 16) reads them. */
export function hexNumber(h: string): Buffer {
  const t = h.endsWith('\n') ? h.slice(0, -1) : h;
  return Buffer.from(t.length % 2 === 1 ? `0${t}` : t, 'hex');
}

/** An OpenPGP MPI (RFC 4880 §3.2): a two-octet bit count, then the number's bytes without leading zeros. */
function mpi(bytes: Uint8Array): Buffer {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  const b = Buffer.from(bytes.subarray(i));
  const bits = b.length === 0 ? 0 : (b.length - 1) * 8 + (32 - Math.clz32(b[0]!));
  const head = Buffer.alloc(2);
  head.writeUInt16BE(bits);
  return Buffer.concat([head, b]);
}

/**
 * The OpenPGP v4 fingerprint (RFC 4880 §12.2: SHA-1 of 0x99, a two-octet length and the public-key packet body)
 * of a key given by its numbers. Written here because the body is built from the dict's numbers, not read from a
 * packet: openpgp.js computes fingerprints only of its own key packet objects, which it makes by parsing packet
 * bytes (so these bytes would have to be written anyway) and, for EdDSA, from an OID class it does not export.
 * Tests check it against openpgp.js and gpg for RSA, DSA and EdDSA keys.
 */
export function gpgFingerprint(type: GpgKeyType, numbers: Readonly<Record<string, string>>, creationTime: number): string {
  const time = Buffer.alloc(4);
  time.writeUInt32BE(creationTime);
  const parts: Buffer[] = [Buffer.from([4]), time, Buffer.from([GPG_KEY_TYPES[type].algorithm])];
  if (type === 'eddsa') {
    parts.push(Buffer.from([ED25519_OID.length]), ED25519_OID, mpi(Buffer.concat([Buffer.from([ED25519_POINT_PREFIX]), hexNumber(numbers['q']!)])));
  } else {
    for (const name of GPG_KEY_TYPES[type].numbers) parts.push(mpi(hexNumber(numbers[name]!)));
  }
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(3);
  head[0] = 0x99;
  head.writeUInt16BE(body.length, 1);
  return createHash('sha1').update(head).update(body).digest('hex');
}

function parseOne(value: unknown, subject: string, expectedType: GpgKeyType | undefined, depth: number): GpgPublicKey {
  if (!isObject(value)) throw invalid(subject, 'is not a key object');
  const type = value['type'];
  if (type !== 'rsa' && type !== 'dsa' && type !== 'eddsa') {
    throw new CnabTrustError('E_KEY_UNSUPPORTED', `${subject}: GPG key type ${JSON.stringify(type)} is not rsa, dsa or eddsa`, {
      subject,
      hint: 'in-toto 1.3.1 (securesystemslib) verifies RSA, DSA and EdDSA (ed25519) OpenPGP keys',
    });
  }
  // GPG_<TYPE>_PUBKEY_SCHEMA: a subkey has its primary key's schema, so its type
  if (expectedType !== undefined && type !== expectedType) throw invalid(subject, `is a ${type} subkey of a ${expectedType} key (securesystemslib allows subkeys of the primary key's type only)`);
  const spec = GPG_KEY_TYPES[type];
  if (value['method'] !== spec.method) throw invalid(subject, `method must be "${spec.method}" for a ${type} key`);
  const hashes = value['hashes'];
  if (!Array.isArray(hashes) || !hashes.every((h) => h === GPG_HASH_ALGORITHM_STRING)) throw invalid(subject, `hashes must be a list of "${GPG_HASH_ALGORITHM_STRING}"`);
  const keyid = value['keyid'];
  if (typeof keyid !== 'string' || !SSLIB_HEX.test(keyid)) throw invalid(subject, 'keyid must be hex');
  const creation = value['creation_time'];
  if (creation !== undefined && !integer(creation, 0, 2147483647)) throw invalid(subject, 'creation_time must be a unix time (an integer)');
  const validity = value['validity_period'];
  if (validity !== undefined && !integer(validity, 0, Number.MAX_SAFE_INTEGER)) throw invalid(subject, 'validity_period must be a non-negative integer');
  const keyval = value['keyval'];
  if (!isObject(keyval) || keyval['private'] !== '' || !isObject(keyval['public'])) throw invalid(subject, 'keyval must be {"public": {...}, "private": ""}');
  const pub = keyval['public'];
  const numbers: Record<string, string> = {};
  for (const name of spec.numbers) {
    const n = pub[name];
    // GPG_RSA_PUBKEYVAL_SCHEMA has e=AnyString; python then reads it with int(e, 16): hex here
    if (typeof n !== 'string' || !SSLIB_HEX.test(n)) throw invalid(subject, `keyval.public.${name} must be hex`);
    numbers[name] = n;
  }
  if (type === 'eddsa' && hexNumber(numbers['q']!).length !== 32) throw invalid(subject, 'keyval.public.q must be a 32-byte ed25519 point');
  const subkeys = new Map<string, GpgPublicKey>();
  const rawSubkeys = value['subkeys'];
  if (rawSubkeys !== undefined) {
    if (!isObject(rawSubkeys)) throw invalid(subject, 'subkeys must be an object');
    if (depth > 0 && Object.keys(rawSubkeys).length > 0) throw invalid(subject, 'a subkey has subkeys');
    for (const [id, sub] of Object.entries(rawSubkeys)) {
      if (!SSLIB_HEX.test(id)) throw invalid(subject, `subkey id ${JSON.stringify(id)} is not hex`);
      const parsed = parseOne(sub, `${subject} subkey ${id}`, type, depth + 1);
      if (parsed.keyid !== id) {
        throw new CnabTrustError('E_KEYID_MISMATCH', `${subject}: subkey listed as ${id} has keyid ${parsed.keyid}`, { subject, details: { listed: id, keyid: parsed.keyid } });
      }
      subkeys.set(id, parsed);
    }
  }
  // Stricter than 1.3.1 on purpose: the keyid is the fingerprint of these numbers.
  if (creation === undefined) throw invalid(subject, 'has no creation_time, so its keyid cannot be checked against its fingerprint');
  const fingerprint = gpgFingerprint(type, numbers, creation as number);
  if (keyid !== fingerprint) {
    throw new CnabTrustError('E_KEYID_MISMATCH', `${subject}: keyid ${keyid} is not the key's OpenPGP fingerprint (computed ${fingerprint})`, {
      subject,
      hint: 'the key numbers, creation_time or keyid were changed after export',
      details: { declared: keyid, computed: fingerprint },
    });
  }
  return {
    kind: 'gpg',
    keyid,
    type,
    numbers,
    ...(creation === undefined ? {} : { creationTime: creation as number }),
    ...(validity === undefined ? {} : { validityPeriod: validity as number }),
    subkeys,
    json: value,
  };
}

/** Check a GPG key dict (from a layout's `keys` or a key file) as described above. */
export function parseGpgKeyObject(value: unknown, subject: string): GpgPublicKey {
  return parseOne(value, subject, undefined, 0);
}
