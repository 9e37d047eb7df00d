/**
 * TUF keys: the keyid of a public key, its @tufjs/models `Key` form, and a `Signer` speaking TUF keyids.
 *
 * TUF spec 4.2: KEYID = SHA-256 of the OLPC canonical JSON of the public key object. New keys carry no
 * `keyid_hash_algorithms` (TUF 1.0 form), so their TUF keyid differs from the securesystemslib 0.26 keyid that
 * in-toto computes for the same key; keys that do carry it keep it, because it is part of the hashed bytes.
 */
import { Key } from '@tufjs/models';
import { keyidOfKeyJson } from '../crypto/keys.js';
import type { PublicKeyJson, Signer } from '../crypto/signer.js';

/** The TUF form of a public key: without `keyid_hash_algorithms` (dropped from keys we make). */
export function tufPublicKey(pub: PublicKeyJson): PublicKeyJson {
  return { keytype: pub.keytype, scheme: pub.scheme, keyval: { public: pub.keyval.public } };
}

export function tufKeyId(pub: PublicKeyJson): string {
  return keyidOfKeyJson(pub);
}

export function toTufKey(pub: PublicKeyJson): Key {
  return new Key({
    keyID: tufKeyId(pub),
    keyType: pub.keytype,
    scheme: pub.scheme,
    keyVal: { public: pub.keyval.public },
    ...(pub.keyid_hash_algorithms === undefined
      ? {}
      : { unrecognizedFields: { keyid_hash_algorithms: [...pub.keyid_hash_algorithms] } }),
  });
}

export function fromTufKey(key: Key): PublicKeyJson {
  const kha = key.unrecognizedFields?.keyid_hash_algorithms;
  return {
    keytype: key.keyType as PublicKeyJson['keytype'],
    scheme: key.scheme as PublicKeyJson['scheme'],
    keyval: { public: key.keyVal.public as string },
    ...(Array.isArray(kha) ? { keyid_hash_algorithms: kha.map(String) } : {}),
  };
}

/** The same signing key, named by the keyid of its TUF-form public key. */
export function asTufSigner(signer: Signer): Signer {
  const publicKey = tufPublicKey(signer.publicKey);
  return { keyid: tufKeyId(publicKey), scheme: signer.scheme, publicKey, sign: (d) => signer.sign(d) };
}
