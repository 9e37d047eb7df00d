/**
 * Reading securesystemslib key files as in-toto 1.3.1 writes them; the key type comes from the content:
 *  - a PEM file (`-----BEGIN PUBLIC KEY-----`, `RSA PRIVATE KEY`, `PRIVATE KEY`, `EC PRIVATE KEY`,
 *    `ENCRYPTED PRIVATE KEY` with a passphrase): rsa as in-toto-keygen writes it, ed25519/ecdsa PEMs too;
 *  - a JSON file `{keytype, scheme, keyid_hash_algorithms, keyval: {public[, private]}[, keyid]}`: ed25519
 *    (private = 64 hex digits, the 32-byte seed) and ecdsa (private = EC PRIVATE KEY PEM).
 * securesystemslib's own encrypted JSON key format is not supported (E_KEY_UNSUPPORTED).
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { CnabTrustError } from '../errors.js';
import { extractPem, parseSslibKeyObject, sslibPublicKeyOf, type SslibPublicKey } from './keys.js';
import { fromHex } from './hex.js';
import { publicKeyFileJson } from './keygen.js';

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface PrivateKeyMaterial {
  publicKey: SslibPublicKey;
  privateKey: KeyObject;
}

/** A JSON key file starts with `{`; anything else is read as PEM (a JSON ecdsa key has PEM inside it). */
function isJsonText(text: string): boolean {
  return text.trimStart().startsWith('{');
}

function textOf(input: Uint8Array | string): string {
  return typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
}

function parseJsonKey(text: string, source: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new CnabTrustError('E_KEY_INVALID', `${source} is neither a PEM key nor a JSON key file`, {
      subject: source,
      hint: 'expected a securesystemslib key file (JSON) or a PEM public/private key',
    });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new CnabTrustError('E_KEY_INVALID', `${source} is not a key object`, { subject: source });
  }
  return v as Record<string, unknown>;
}

function pemError(source: string, e: unknown): CnabTrustError {
  return new CnabTrustError('E_KEY_INVALID', `${source}: PEM key does not load: ${(e as Error).message}`, { subject: source, cause: e });
}

/** The end of a PEM private key block's BEGIN line of any kind (PKCS#8, encrypted, PKCS#1 RSA, SEC1 EC, OpenSSH). */
const PEM_PRIVATE_LABEL = 'PRIVATE KEY-----';
const PEM_PRIVATE_BLOCK = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
/** The armor header of an exported OpenPGP secret key (RFC 4880 §6.2, `gpg --export-secret-keys --armor`). */
const PGP_PRIVATE_ARMOR = '-----BEGIN PGP PRIVATE KEY BLOCK-----';
/** JSON larger than this is not parsed for nested keys (links are bounded lower; a thick archive is not JSON). */
const MAX_SCANNED_JSON = 64 * 1024 * 1024;

/**
 * Private key material in a file, or undefined: a PEM private block anywhere, or (in JSON) any object whose
 * `keyval.private` is a non-empty string (a securesystemslib/in-toto private key, also nested, e.g. in a layout's
 * `keys`). Used where a public key enters and on everything `sign` publishes; works on bytes, so a 2 GB thick
 * archive is searched without turning it into a string.
 */
export function privateKeyMaterialIn(input: Uint8Array | string): string | undefined {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  for (let at = bytes.indexOf(PEM_PRIVATE_LABEL); at >= 0; at = bytes.indexOf(PEM_PRIVATE_LABEL, at + 1)) {
    const line = bytes.subarray(Math.max(0, at - 64), at + PEM_PRIVATE_LABEL.length).toString('latin1');
    if (PEM_PRIVATE_BLOCK.test(line)) return 'a PEM private key block';
  }
  if (bytes.includes(PGP_PRIVATE_ARMOR)) return 'an OpenPGP private key block';
  if (!bytes.includes('"private"') || bytes.length > MAX_SCANNED_JSON) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined; // not JSON: only a PEM block could have been a key, and there is none
  }
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
      continue;
    }
    const keyval = (v as { keyval?: unknown }).keyval;
    if (typeof keyval === 'object' && keyval !== null) {
      const priv = (keyval as { private?: unknown }).private;
      if (typeof priv === 'string' && priv !== '') return 'a key with a non-empty keyval.private';
    }
    for (const item of Object.values(v)) stack.push(item);
  }
  return undefined;
}

/** The refusal of a private key where a public one is expected (`flag` names the option or field). */
export function privateKeyError(source: string, flag: string, what: string): CnabTrustError {
  return new CnabTrustError('E_KEY_PRIVATE', `${source} holds ${what}, but ${flag} takes public keys only`, {
    subject: source,
    hint: `give the public key file (cnab-trust intoto keygen NAME writes NAME.pub beside the private NAME); the private key is never published`,
    details: { file: source, flag },
  });
}

/**
 * A public key file (PEM or JSON). Private key material is refused (E_KEY_PRIVATE naming the file and `flag`): a
 * private key given where a public one is expected is a mistake that would publish it.
 */
export function parsePublicKeyFile(input: Uint8Array | string, source: string, flag = 'a public key file'): SslibPublicKey {
  const text = textOf(input);
  const secret = privateKeyMaterialIn(text);
  if (secret !== undefined) throw privateKeyError(source, flag, secret);
  if (!isJsonText(text)) {
    const pem = extractPem(text, 'PUBLIC KEY');
    if (pem === undefined) {
      throw new CnabTrustError('E_KEY_INVALID', `${source} holds no PEM public key`, { subject: source });
    }
    let obj: KeyObject;
    try {
      obj = createPublicKey({ key: pem, format: 'pem' });
    } catch (e) {
      throw pemError(source, e);
    }
    const key = sslibPublicKeyOf(obj, source);
    if (key.keytype === 'rsa') {
      // securesystemslib keeps the file's PEM text from BEGIN to END (no trailing newline) as keyval.public.
      return parseSslibKeyObject({ keytype: 'rsa', scheme: 'rsassa-pss-sha256', keyval: { public: pem } }, source);
    }
    return key;
  }
  return parseSslibKeyObject(parseJsonKey(text, source), source);
}

/**
 * The canonical public key file of a key, as `intoto keygen` writes NAME.pub: the securesystemslib JSON public key
 * (ed25519, ecdsa) or the SPKI PEM (rsa, which in-toto reads as PEM). What `sign` publishes as a key target,
 * whatever form the given file had: a key target is derived public key material, never the file as given.
 */
export function canonicalPublicKeyFile(key: SslibPublicKey): Buffer {
  return Buffer.from(key.keytype === 'rsa' ? `${key.keyval.public}\n` : publicKeyFileJson(key), 'utf8');
}
/** The label that closes the BEGIN line of an encrypted PKCS#8 PEM. */
const ENCRYPTED_PKCS8_LABEL = 'ENCRYPTED PRIVATE KEY-----';

/** Whether a key file holds an encrypted PKCS#8 PEM (it needs a passphrase). */
export function isEncryptedPrivateKeyPem(input: Uint8Array | string): boolean {
  return typeof input === 'string' ? input.includes(ENCRYPTED_PKCS8_LABEL) : Buffer.from(input).includes(ENCRYPTED_PKCS8_LABEL);
}

/** A private key file (PEM or securesystemslib JSON) with its securesystemslib public key and keyid. */
export function parsePrivateKeyFile(input: Uint8Array | string, source: string, passphrase?: string): PrivateKeyMaterial {
  const text = textOf(input);
  if (!isJsonText(text)) {
    if (isEncryptedPrivateKeyPem(text) && passphrase === undefined) {
      throw new CnabTrustError('E_PASSPHRASE', `${source} is encrypted: a passphrase is needed`, { subject: source });
    }
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(passphrase === undefined ? { key: text, format: 'pem' } : { key: text, format: 'pem', passphrase });
    } catch (e) {
      if (passphrase !== undefined) {
        throw new CnabTrustError('E_PASSPHRASE_WRONG', `${source}: wrong passphrase or not a private key`, {
          subject: source,
          hint: 'check CNAB_TRUST_PASSPHRASE (or what was typed) for this key',
        });
      }
      throw pemError(source, e);
    }
    return { privateKey, publicKey: sslibPublicKeyOf(privateKey, source) };
  }
  const o = parseJsonKey(text, source);
  const keyval = o['keyval'] as { private?: unknown } | undefined;
  const priv = typeof keyval === 'object' && keyval !== null ? keyval.private : undefined;
  if (typeof priv !== 'string' || priv === '') {
    throw new CnabTrustError('E_KEY_INVALID', `${source} has no private key (keyval.private)`, { subject: source });
  }
  let privateKey: KeyObject;
  if (o['keytype'] === 'ed25519') {
    const seed = fromHex(priv);
    if (seed === undefined || seed.length !== 32) {
      throw new CnabTrustError('E_KEY_UNSUPPORTED', `${source}: ed25519 private key must be 64 hex digits (encrypted key files are not supported)`, {
        subject: source,
      });
    }
    privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  } else {
    try {
      privateKey = createPrivateKey({ key: priv, format: 'pem' });
    } catch (e) {
      throw pemError(source, e);
    }
  }
  const publicKey = parseSslibKeyObject({ ...o, keyval: { public: (keyval as { public?: unknown }).public } }, source);
  const derived = sslibPublicKeyOf(privateKey, source);
  const samePublic =
    publicKey.keytype === 'rsa'
      ? createPublicKey(publicKey.keyval.public).export({ format: 'der', type: 'spki' }).equals(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }))
      : derived.keyval.public === publicKey.keyval.public;
  if (!samePublic) {
    throw new CnabTrustError('E_KEY_INVALID', `${source}: keyval.public is not the public half of keyval.private`, { subject: source });
  }
  return { privateKey, publicKey };
}
