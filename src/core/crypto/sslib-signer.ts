/** A `Signer` over a local securesystemslib private key (PEM or JSON key file), keyid as in-toto 1.3.1 computes it. */
import type { KeyObject } from 'node:crypto';
import type { PublicKeyJson, SignatureScheme, Signer } from './signer.js';
import { parsePrivateKeyFile } from './key-files.js';
import { signRaw } from './schemes.js';
import type { SslibPublicKey } from './keys.js';

export class SslibSigner implements Signer {
  readonly keyid: string;
  readonly scheme: SignatureScheme;
  readonly publicKey: PublicKeyJson;
  readonly #privateKey: KeyObject;

  constructor(publicKey: SslibPublicKey, privateKey: KeyObject) {
    this.keyid = publicKey.keyid;
    this.scheme = publicKey.scheme;
    const { keyid: _keyid, ...json } = publicKey;
    void _keyid;
    this.publicKey = json;
    this.#privateKey = privateKey;
  }

  /** A signer from the bytes of a private key file (the key type is recognized from the content). */
  static fromKeyFile(input: Uint8Array | string, source: string, passphrase?: string): SslibSigner {
    const { publicKey, privateKey } = parsePrivateKeyFile(input, source, passphrase);
    return new SslibSigner(publicKey, privateKey);
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    return signRaw(this.scheme, this.#privateKey, data);
  }
}
