/**
 * `intoto keygen`: a new key pair in the files in-toto 1.3.1 `in-toto-keygen` writes (NAME private, mode 0600;
 * NAME.pub public): rsa as PEM, ed25519 and ecdsa as securesystemslib JSON. Existing files are not overwritten.
 */
import { pathExistsAsync, writeFileAtomic } from '../../adapters/fs/index.js';
import { generateKey, type KeyKind } from '../../core/crypto/keygen.js';
import { CnabTrustError } from '../../core/errors.js';

export interface KeygenReport {
  privateKey: string;
  publicKey: string;
  keyid: string;
  keytype: string;
  scheme: string;
}

export async function intotoKeygen(o: { name: string; type: KeyKind; bits?: number }): Promise<KeygenReport> {
  const pub = `${o.name}.pub`;
  for (const f of [o.name, pub]) {
    if (await pathExistsAsync(f)) throw new CnabTrustError('E_USAGE', `${f} exists already; not overwriting a key`, { subject: f });
  }
  const g = generateKey(o.type, o.bits ?? 3072);
  await writeFileAtomic(o.name, g.privateFile, { mode: 0o600, mkdirs: true });
  await writeFileAtomic(pub, g.publicFile, { mode: 0o644, mkdirs: true });
  return { privateKey: o.name, publicKey: pub, keyid: g.publicKey.keyid, keytype: g.publicKey.keytype, scheme: g.publicKey.scheme };
}
