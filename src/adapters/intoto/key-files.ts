/**
 * Key files given on the command line (`--key`, `--layout-keys`, functionaries in a layout description):
 * read with a size bound, the type recognized from the content (securesystemslib JSON or PEM). An encrypted
 * private key takes its passphrase from the environment variable CNAB_TRUST_PASSPHRASE (never from argv).
 */
import { parsePrivateKeyFile, parsePublicKeyFile } from '../../core/crypto/key-files.js';
import type { SslibPublicKey } from '../../core/crypto/keys.js';
import { SslibSigner } from '../../core/crypto/sslib-signer.js';
import { readFileBounded } from '../fs/index.js';

const MAX_KEY_FILE = 64 * 1024;
export const PASSPHRASE_ENV = 'CNAB_TRUST_PASSPHRASE';

function passphrase(): string | undefined {
  const p = process.env[PASSPHRASE_ENV];
  return p !== undefined && p.length > 0 ? p : undefined;
}

/** A signer over the private key in `file`. */
export async function loadSigner(file: string): Promise<SslibSigner> {
  const bytes = await readFileBounded(file, { maxBytes: MAX_KEY_FILE, what: 'key file' });
  return SslibSigner.fromKeyFile(bytes, file, bytes.includes('ENCRYPTED PRIVATE KEY') ? passphrase() : undefined);
}

/** The public key in `file` (a private key file gives its public half). */
export async function loadPublicKey(file: string): Promise<SslibPublicKey> {
  const bytes = await readFileBounded(file, { maxBytes: MAX_KEY_FILE, what: 'key file' });
  if (bytes.includes('ENCRYPTED PRIVATE KEY')) return parsePrivateKeyFile(bytes, file, passphrase()).publicKey;
  return parsePublicKeyFile(bytes, file);
}
