/**
 * The key store of a working copy: a directory (default `keys/`, mode 0700) holding, per key,
 *   `<keyid>.key`  the private key, PKCS#8 PEM, mode 0600 (with `--encrypt`: encrypted PKCS#8, PBES2/AES-256-CBC),
 *   `<keyid>.pub`  the TUF public key JSON (`{keytype, scheme, keyval}`), shareable,
 * where `<keyid>` is the TUF keyid. A role's key is "present" when its `.key` file is here.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { generateKey, type KeyKind } from '../../core/crypto/keygen.js';
import { SslibSigner } from '../../core/crypto/sslib-signer.js';
import { isEncryptedPrivateKeyPem, parsePublicKeyFile } from '../../core/crypto/key-files.js';
import type { PublicKeyJson, SignatureScheme, Signer } from '../../core/crypto/signer.js';
import { CnabTrustError } from '../../core/errors.js';
import { asTufSigner, tufKeyId, tufPublicKey } from '../../core/tuf/keys.js';
import { readFileBounded, writeFileAtomic } from '../fs/index.js';
import { defaultPassphraseSource, type PassphraseSource } from './passphrase.js';

const MAX_KEY_FILE = 64 * 1024;

export const KEY_TYPES: Readonly<Record<SignatureScheme, KeyKind>> = {
  ed25519: 'ed25519',
  'ecdsa-sha2-nistp256': 'ecdsa',
  'rsassa-pss-sha256': 'rsa',
};

export interface NewKey {
  keyid: string;
  publicKey: PublicKeyJson;
  privateFile: string;
}

export class FileKeyStore {
  readonly dir: string;
  readonly #passphrase: PassphraseSource;
  #cachedPassphrase: string | undefined;

  constructor(dir: string, passphrase: PassphraseSource = defaultPassphraseSource) {
    this.dir = dir;
    this.#passphrase = passphrase;
  }

  /** Generate a key pair and write it (private 0600, encrypted when `encrypt`). */
  async generate(scheme: SignatureScheme, options: { encrypt?: boolean } = {}): Promise<NewKey> {
    const g = generateKey(KEY_TYPES[scheme]);
    const publicKey = tufPublicKey(g.publicKey);
    const keyid = tufKeyId(publicKey);
    const passphrase = options.encrypt ? await this.#getPassphrase('encrypt the new private keys', true) : undefined;
    const pem =
      passphrase === undefined
        ? g.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
        : g.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();
    const privateFile = path.join(this.dir, `${keyid}.key`);
    await writeFileAtomic(privateFile, pem, { mode: 0o600, mkdirs: true });
    await writeFileAtomic(path.join(this.dir, `${keyid}.pub`), JSON.stringify(publicKey, null, 2) + '\n', {
      mode: 0o644,
      mkdirs: true,
    });
    return { keyid, publicKey, privateFile };
  }

  /** The keyids whose private key file is in the store. */
  async privateKeyIds(): Promise<Set<string>> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return new Set();
    }
    return new Set(names.filter((n) => /^[0-9a-f]{64}\.key$/.test(n)).map((n) => n.slice(0, -4)));
  }

  /** Signers for those of `keyids` whose private key is here. */
  async signersFor(keyids: Iterable<string>): Promise<Signer[]> {
    const have = await this.privateKeyIds();
    const out: Signer[] = [];
    for (const id of new Set(keyids)) {
      if (have.has(id)) out.push(await this.loadSigner(path.join(this.dir, `${id}.key`), id));
    }
    return out;
  }

  /** A signer over a private key file (ours, or one from elsewhere), named by its TUF keyid. */
  async loadSigner(file: string, expectKeyId?: string): Promise<Signer> {
    const text = (await readFileBounded(file, { maxBytes: MAX_KEY_FILE, what: 'private key' })).toString('utf8');
    const encrypted = isEncryptedPrivateKeyPem(text);
    const passphrase = encrypted ? await this.#getPassphrase(`decrypt ${path.basename(file)}`) : undefined;
    const signer = asTufSigner(SslibSigner.fromKeyFile(text, file, passphrase));
    if (expectKeyId !== undefined && signer.keyid !== expectKeyId) {
      throw new CnabTrustError('E_KEYID_MISMATCH', `key file ${file} holds key ${signer.keyid}, not ${expectKeyId}`, {
        subject: file,
      });
    }
    return signer;
  }

  async #getPassphrase(purpose: string, confirm = false): Promise<string> {
    this.#cachedPassphrase ??= await this.#passphrase(purpose, confirm);
    return this.#cachedPassphrase;
  }
}

/** A public key file (our `.pub` JSON, a securesystemslib JSON key or a PEM) in TUF form. */
export async function readPublicKeyFile(file: string, flag: string): Promise<PublicKeyJson> {
  const bytes = await readFileBounded(file, { maxBytes: MAX_KEY_FILE, what: 'public key' });
  // securesystemslib keys carry keyid_hash_algorithms: TUF keys we list never do (the keyid hashes it).
  return tufPublicKey(parsePublicKeyFile(bytes, file, flag));
}
