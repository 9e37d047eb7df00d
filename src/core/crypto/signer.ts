/**
 * The signing interface shared by TUF metadata, in-toto metadata and attestations.
 *
 * Signing is asynchronous so that a key can later live in an HSM, a KMS or on another machine;
 * verification is synchronous and pure (it needs only public key material).
 */

/** Signature schemes we support, named as securesystemslib and the TUF specification name them. */
export type SignatureScheme = 'ed25519' | 'ecdsa-sha2-nistp256' | 'rsassa-pss-sha256';

/** A public key in the securesystemslib / TUF JSON form (`keyval.public` is hex for ed25519, PEM otherwise). */
export interface PublicKeyJson {
  keytype: 'ed25519' | 'ecdsa' | 'ecdsa-sha2-nistp256' | 'rsa';
  scheme: SignatureScheme;
  keyval: { public: string };
  /** Present in keys made by securesystemslib < 1.0 (and so in-toto 1.3.1); part of the keyid's hashed bytes. */
  keyid_hash_algorithms?: string[];
}

/** Something that can sign bytes with one key. */
export interface Signer {
  /** The keyid of the public key, as the metadata format at hand computes it. */
  readonly keyid: string;
  readonly scheme: SignatureScheme;
  readonly publicKey: PublicKeyJson;
  /** Sign the exact bytes given (the caller canonicalizes). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}
