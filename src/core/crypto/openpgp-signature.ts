/**
 * A detached OpenPGP signature (what `gpg --detach-sign --digest-algo SHA256` writes) as the GPG signature dict
 * in-toto 1.3.1 stores in `signatures` (securesystemslib gpg/functions.py create_signature and
 * common.py parse_signature_packet). openpgp.js reads the packet; this file picks the parts:
 *
 *   keyid          the issuer fingerprint subpacket (gpg >= 2.1 writes it), lowercase hex
 *   other_headers  the hashed part of the packet (version .. hashed subpackets), hex
 *   signature      RSA: the MPI's bytes; DSA: DER (r, s); EdDSA: r and s, each left-padded to 32 bytes
 *
 * As securesystemslib, only a v4 signature of a binary document (type 0x00) with SHA-256 and an RSA, DSA or
 * EdDSA key is taken.
 */
import * as openpgp from 'openpgp';
import { Buffer } from 'node:buffer';
import { CnabTrustError } from '../errors.js';
import { dssSignatureDer, type GpgSignature } from './gpg-verify.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function invalid(source: string, what: string): CnabTrustError {
  return new CnabTrustError('E_SIGNATURE_INVALID', `${source}: ${what}`, {
    subject: source,
    hint: 'in-toto GPG signatures are v4 detached signatures over SHA-256 (gpg --detach-sign --digest-algo SHA256) by an RSA, DSA or ed25519 key',
  });
}

export async function gpgSignatureFromOpenPgp(bytes: Uint8Array, source: string): Promise<GpgSignature> {
  let sig: openpgp.Signature;
  try {
    const text = Buffer.from(bytes).toString('latin1');
    sig = text.includes('-----BEGIN PGP SIGNATURE-----') ? await openpgp.readSignature({ armoredSignature: text }) : await openpgp.readSignature({ binarySignature: bytes });
  } catch (e) {
    throw invalid(source, `OpenPGP signature does not parse: ${(e as Error).message}`);
  }
  const packets = [...sig.packets] as openpgp.SignaturePacket[];
  if (packets.length !== 1) throw invalid(source, `holds ${packets.length} signatures; expected one`);
  const p = packets[0]!;
  if (p.version !== 4 || p.signatureType !== openpgp.enums.signature.binary) throw invalid(source, `is a v${p.version} signature of type ${String(p.signatureType)}, not a v4 signature of a binary document`);
  if (p.hashAlgorithm !== openpgp.enums.hash.sha256) throw invalid(source, `uses hash algorithm ${String(p.hashAlgorithm)}, not SHA-256`);
  if (p.issuerFingerprint === null || p.signatureData === null) throw invalid(source, 'has no issuer fingerprint (gpg older than 2.1?)');
  const params = (p as unknown as { params: Record<string, Uint8Array> }).params;
  let value: Buffer;
  switch (p.publicKeyAlgorithm) {
    case openpgp.enums.publicKey.rsaEncryptSign:
      value = Buffer.from(params['s']!);
      break;
    case openpgp.enums.publicKey.dsa:
      value = dssSignatureDer(params['r']!, params['s']!);
      break;
    case openpgp.enums.publicKey.eddsaLegacy: {
      const pad = (b: Uint8Array) => Buffer.concat([Buffer.alloc(Math.max(0, 32 - b.length)), Buffer.from(b)]);
      value = Buffer.concat([pad(params['r']!), pad(params['s']!)]);
      break;
    }
    default:
      throw invalid(source, `is made with public-key algorithm ${String(p.publicKeyAlgorithm)}, not RSA, DSA or EdDSA`);
  }
  return { keyid: hex(p.issuerFingerprint), other_headers: hex(p.signatureData), signature: value.toString('hex') };
}
