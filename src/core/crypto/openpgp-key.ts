/**
 * An exported OpenPGP public key (`gpg --export [--armor] KEYID`) as the GPG key dict in-toto 1.3.1 puts into
 * layouts and verifies with (securesystemslib gpg/common.py get_pubkey_bundle). The packets are read by openpgp.js;
 * this file only picks from what it parsed, following securesystemslib's rules:
 *
 *  - the primary key: RSA (algorithm 1), DSA (17) or EdDSA on ed25519 (22), version 4; keyid its fingerprint;
 *  - validity_period: from the valid self-certifications of user IDs that carry a key-expiration subpacket (hash
 *    SHA-1, SHA-256 or SHA-512), the most recent one, one marked primary user ID winning over unmarked ones
 *    (securesystemslib's _assign_certified_key_info, including that a later unmarked certification does not
 *    replace a marked one);
 *  - subkeys: those of a supported algorithm with exactly one subkey binding signature, which verifies; their
 *    validity_period from that signature. Subkeys of another type than the primary key are left out (a GPG
 *    key dict holds subkeys of its own type only: securesystemslib's schema).
 *
 * Deliberate differences, for safety (the README's in-toto section lists them): a key that carries a valid
 * revocation of itself is refused, and a revoked subkey left out (securesystemslib ignores revocations); a file
 * with a private key or with several keys is refused. And one fix: securesystemslib hashes a key packet with the
 * header it was exported with, so self-signatures of EdDSA keys (a short packet, one-octet length) never verify
 * there: their expiry and subkeys are lost. Here they are read as OpenPGP defines them.
 */
import * as openpgp from 'openpgp';
import { CnabTrustError } from '../errors.js';
import { privateKeyError } from './key-files.js';
import { GPG_HASH_ALGORITHM_STRING, GPG_KEY_TYPES, parseGpgKeyObject, type GpgKeyType, type GpgPublicKey } from './gpg-keys.js';

const TYPE_OF_ALGORITHM: Readonly<Record<number, GpgKeyType>> = { 1: 'rsa', 17: 'dsa', 22: 'eddsa' };
/** securesystemslib reads self-signatures made with SHA-1, SHA-256 or SHA-512 only (RFC 4880 §9.4 ids 2, 8, 10). */
const SELF_SIGNATURE_HASHES = new Set([2, 8, 10]);
const CERTIFICATIONS = new Set([0x10, 0x11, 0x12, 0x13]);

type KeyPacket = openpgp.PublicKeyPacket | openpgp.PublicSubkeyPacket;
type Params = Record<string, Uint8Array | { write(): Uint8Array }>;

function invalid(source: string, what: string): CnabTrustError {
  return new CnabTrustError('E_KEY_INVALID', `${source}: ${what}`, {
    subject: source,
    hint: 'give the public key as gpg exports it: gpg --export --armor KEYID > key.asc',
  });
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The dict's fields of one key packet, or undefined when its algorithm is not one securesystemslib reads. */
function keyFields(packet: KeyPacket): { type: GpgKeyType; fields: Record<string, unknown> } | undefined {
  const type = TYPE_OF_ALGORITHM[packet.algorithm];
  if (type === undefined || packet.version !== 4) return undefined;
  const params = (packet as unknown as { publicParams: Params }).publicParams;
  const numbers: Record<string, string> = {};
  if (type === 'eddsa') {
    const q = params['Q'] as Uint8Array;
    // the 0x40-prefixed native point (RFC 4880bis §13.3); the dict holds the 32 bytes after the prefix
    if (q.length !== 33 || q[0] !== 0x40) return undefined;
    numbers['q'] = hex(q.subarray(1));
  } else {
    for (const name of GPG_KEY_TYPES[type].numbers) numbers[name] = hex(params[name] as Uint8Array);
  }
  return {
    type,
    fields: {
      creation_time: Math.floor(packet.created.getTime() / 1000),
      hashes: [GPG_HASH_ALGORITHM_STRING],
      keyid: packet.getFingerprint(),
      keyval: { private: '', public: numbers },
      method: GPG_KEY_TYPES[type].method,
      type,
    },
  };
}

async function verifies(sig: openpgp.SignaturePacket, signer: KeyPacket, type: number, data: object): Promise<boolean> {
  if (sig.signatureType !== type || !SELF_SIGNATURE_HASHES.has(sig.hashAlgorithm ?? -1)) return false;
  try {
    // no date: securesystemslib checks neither signature expiry nor creation time
    await sig.verify(signer, type, data, null as unknown as Date);
    return true;
  } catch {
    return false;
  }
}

async function revoked(sigs: readonly openpgp.SignaturePacket[], signer: KeyPacket, type: number, data: object): Promise<boolean> {
  for (const sig of sigs) {
    try {
      await sig.verify(signer, type, data, null as unknown as Date);
      return true;
    } catch {
      // not a valid revocation
    }
  }
  return false;
}

/** The primary key's validity_period as securesystemslib picks it from user ID self-certifications. */
async function primaryValidity(key: openpgp.Key): Promise<number | undefined> {
  const primary = key.keyPacket as KeyPacket;
  let validity: number | undefined;
  let isPrimaryUser: boolean | null = false;
  let created: number | undefined;
  for (const user of key.users) {
    if (user.userID === null) continue; // user attributes are not read
    for (const cert of user.selfCertifications) {
      if (!CERTIFICATIONS.has(cert.signatureType ?? -1)) continue;
      if (!(await verifies(cert, primary, cert.signatureType!, { userID: user.userID, key: primary }))) continue;
      if (cert.keyExpirationTime === null) continue;
      const certCreated = Math.floor(cert.created!.getTime() / 1000);
      if (isPrimaryUser === true && cert.isPrimaryUserID !== true) continue;
      if (created === undefined || created < certCreated) {
        validity = cert.keyExpirationTime;
        isPrimaryUser = cert.isPrimaryUserID;
        created = certCreated;
      }
    }
  }
  return validity;
}

async function readOpenPgp(bytes: Uint8Array, source: string): Promise<openpgp.Key[]> {
  const text = Buffer.from(bytes).toString('latin1');
  try {
    if (text.includes('-----BEGIN PGP ')) return await openpgp.readKeys({ armoredKeys: text });
    return await openpgp.readKeys({ binaryKeys: bytes });
  } catch (e) {
    throw invalid(source, `OpenPGP data does not parse: ${(e as Error).message}`);
  }
}

/** The GPG key dict (parsed) of an exported OpenPGP public key. */
export async function gpgKeyFromOpenPgp(bytes: Uint8Array, source: string): Promise<GpgPublicKey> {
  const keys = await readOpenPgp(bytes, source);
  if (keys.length !== 1) throw invalid(source, `holds ${keys.length} OpenPGP keys; give one`);
  const key = keys[0]!;
  if (key.isPrivate()) throw privateKeyError(source, 'a layout key', 'an OpenPGP private key'); // binary secret-key export
  const primary = key.keyPacket as KeyPacket;
  const main = keyFields(primary);
  if (main === undefined) {
    throw new CnabTrustError('E_KEY_UNSUPPORTED', `${source}: OpenPGP key ${primary.getFingerprint()} (v${primary.version}, algorithm ${primary.algorithm}) is not an RSA, DSA or ed25519 v4 key`, {
      subject: source,
      hint: 'in-toto 1.3.1 (securesystemslib) verifies RSA, DSA and EdDSA (ed25519) OpenPGP keys',
    });
  }
  if (await revoked(key.revocationSignatures, primary, openpgp.enums.signature.keyRevocation, { key: primary })) {
    throw invalid(source, `OpenPGP key ${primary.getFingerprint()} is revoked`);
  }
  const dict: Record<string, unknown> = { ...main.fields };
  const validity = await primaryValidity(key);
  if (validity !== undefined) dict['validity_period'] = validity;
  const subkeys: Record<string, unknown> = {};
  for (const sub of key.subkeys) {
    const packet = sub.keyPacket as KeyPacket;
    const fields = keyFields(packet);
    if (fields === undefined || fields.type !== main.type) continue;
    const data = { key: primary, bind: packet };
    // exactly one subkey binding signature, and valid (securesystemslib _get_verified_subkeys)
    const bindings = sub.bindingSignatures.filter((s) => s.signatureType === openpgp.enums.signature.subkeyBinding && SELF_SIGNATURE_HASHES.has(s.hashAlgorithm ?? -1));
    if (bindings.length !== 1 || !(await verifies(bindings[0]!, primary, openpgp.enums.signature.subkeyBinding, data))) continue;
    if (await revoked(sub.revocationSignatures, primary, openpgp.enums.signature.subkeyRevocation, data)) continue;
    const subDict: Record<string, unknown> = { ...fields.fields };
    if (bindings[0]!.keyExpirationTime !== null) subDict['validity_period'] = bindings[0]!.keyExpirationTime;
    subkeys[fields.fields['keyid'] as string] = subDict;
  }
  if (Object.keys(subkeys).length > 0) dict['subkeys'] = subkeys;
  return parseGpgKeyObject(dict, source);
}
