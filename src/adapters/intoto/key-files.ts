/**
 * Key files given on the command line (`--key`, `--layout-keys`, functionaries in a layout description):
 * read with a size bound, the type recognized from the content (securesystemslib JSON or PEM). An encrypted
 * private key takes its passphrase from the same source as the TUF key store (`adapters/keystore/passphrase.ts`:
 * CNAB_TRUST_PASSPHRASE, else a hidden terminal prompt; never argv).
 */
import { isEncryptedPrivateKeyPem, parsePublicKeyFile } from '../../core/crypto/key-files.js';
import type { SslibPublicKey } from '../../core/crypto/keys.js';
import { SslibSigner } from '../../core/crypto/sslib-signer.js';
import { readFileBounded } from '../fs/index.js';
import { defaultPassphraseSource, type PassphraseSource } from '../keystore/passphrase.js';

const MAX_KEY_FILE = 64 * 1024;

/** The passphrase for `file` when it is an encrypted PEM; undefined for a plain key (asks nothing). */
async function passphraseFor(file: string, bytes: Buffer, source: PassphraseSource): Promise<string | undefined> {
  return isEncryptedPrivateKeyPem(bytes) ? source(`decrypt ${file}`) : undefined;
}

/** A signer over the private key in `file`. */
export async function loadSigner(file: string, source: PassphraseSource = defaultPassphraseSource): Promise<SslibSigner> {
  const bytes = await readFileBounded(file, { maxBytes: MAX_KEY_FILE, what: 'key file' });
  return SslibSigner.fromKeyFile(bytes, file, await passphraseFor(file, bytes, source));
}

/** The public key in `file`; private key material is refused (E_KEY_PRIVATE naming the file and `flag`). */
export async function loadPublicKey(file: string, flag: string): Promise<SslibPublicKey> {
  const bytes = await readFileBounded(file, { maxBytes: MAX_KEY_FILE, what: 'key file' });
  return parsePublicKeyFile(bytes, file, flag);
}

/** Signers over several key files, loaded one after another so that terminal prompts never overlap. */
export async function loadSigners(files: readonly string[], source: PassphraseSource = defaultPassphraseSource): Promise<SslibSigner[]> {
  const signers: SslibSigner[] = [];
  for (const file of files) signers.push(await loadSigner(file, source));
  return signers;
}
