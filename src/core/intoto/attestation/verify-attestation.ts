/**
 * Offline verification of an attestation in a Sigstore bundle against a public key (docs/architecture.md §5): the bundle
 * is parsed and checked by `@sigstore/bundle`, the DSSE signature verified by `@sigstore/verify` with every
 * log/timestamp threshold at 0 and trust material that holds nothing but the given key; then the payload must
 * be an in-toto Statement v1 (payloadType `application/vnd.in-toto+json`), and, when asked, one of its subjects
 * must carry the expected digest (the bundle's canonical digest).
 */
import { Buffer } from 'node:buffer';
import { constants, type KeyObject } from 'node:crypto';
import { bundleFromJSON, isBundleWithDsseEnvelope, type Bundle } from '@sigstore/bundle';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { CnabTrustError } from '../../errors.js';
import { keyObjectOf } from '../../crypto/keys.js';
import type { PublicKeyJson } from '../../crypto/signer.js';
import { parseJson } from '../../json/index.js';
import { IN_TOTO_PAYLOAD_TYPE, checkStatement, type Statement } from './statement.js';

const EMPTY_TRUSTED_ROOT: TrustedRoot = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot.v0.2+json',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
};

export interface AttestationVerification {
  statement: Statement;
  /** The key hint the bundle names (our keyid when we made it). */
  keyHint: string;
  /** The subject whose digest matched `expectedDigest`, when one was asked for. */
  matchedSubject?: string;
}

function fail(message: string, subject: string, cause?: unknown): CnabTrustError {
  return new CnabTrustError('E_ATTESTATION_INVALID', message, { subject, ...(cause === undefined ? {} : { cause }) });
}

/**
 * The public key as `@sigstore/verify` hands it to `crypto.verify` (no digest name): a KeyObject for ed25519 and
 * ECDSA P-256 (SHA-256 is OpenSSL's default there), and for RSA the PSS options our rsassa-pss-sha256 keys sign with.
 */
function verificationKeyOf(key: PublicKeyJson): KeyObject {
  const obj = keyObjectOf(key);
  if (key.scheme === 'rsassa-pss-sha256') {
    return { key: obj, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO } as unknown as KeyObject;
  }
  return obj;
}

/** Verify a serialized Sigstore bundle (JSON value) with `publicKey`; `source` names the file in errors. */
export function verifyAttestation(
  bundleJson: unknown,
  publicKey: PublicKeyJson,
  source: string,
  expectedDigest?: { algorithm: string; hex: string },
): AttestationVerification {
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(bundleJson);
  } catch (e) {
    throw fail(`${source} is not a Sigstore bundle: ${(e as Error).message}`, source, e);
  }
  if (!isBundleWithDsseEnvelope(bundle)) throw fail(`${source} does not hold a DSSE envelope`, source);
  const vm = bundle.verificationMaterial.content;
  const keyHint = vm.$case === 'publicKey' ? vm.publicKey.hint : '';
  if (vm.$case !== 'publicKey') throw fail(`${source} is signed with a certificate, not a key: use a Sigstore verifier with a trusted root`, source);

  // Sigstore bundle verification, offline: only the signature against the given key counts.
  const trust = toTrustMaterial(EMPTY_TRUSTED_ROOT, () => ({ publicKey: verificationKeyOf(publicKey), validFor: () => true }));
  const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  try {
    verifier.verify(toSignedEntity(bundle));
  } catch (e) {
    throw new CnabTrustError('E_SIGNATURE_INVALID', `${source}: the signature does not verify with the given key`, {
      subject: source,
      hint: keyHint !== '' ? `the bundle names key ${keyHint}` : undefined,
      cause: e,
    });
  }

  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw fail(`${source}: payloadType is ${JSON.stringify(envelope.payloadType)}, expected ${IN_TOTO_PAYLOAD_TYPE}`, source);
  }
  let payload: unknown;
  try {
    payload = parseJson(Buffer.from(envelope.payload));
  } catch (e) {
    throw fail(`${source}: the signed payload is not JSON`, source, e);
  }
  const statement = checkStatement(payload, 'statement');
  const result: AttestationVerification = { statement, keyHint };
  if (expectedDigest !== undefined) {
    const hit = statement.subject.find((s) => s.digest?.[expectedDigest.algorithm] === expectedDigest.hex);
    if (hit === undefined) {
      throw new CnabTrustError('E_DIGEST_MISMATCH', `${source}: no subject has the digest ${expectedDigest.algorithm}:${expectedDigest.hex}`, {
        subject: source,
        details: { expected: `${expectedDigest.algorithm}:${expectedDigest.hex}`, subjects: statement.subject },
      });
    }
    result.matchedSubject = hit.name ?? `${expectedDigest.algorithm}:${expectedDigest.hex}`;
  }
  return result;
}
