/**
 * A Statement signed into a Sigstore bundle (v0.3, DSSE) with a local key: `@sigstore/sign`'s
 * DSSEBundleBuilder with no witness (no Rekor, no TSA, no Fulcio: everything stays offline) and a signer that
 * wraps our `Signer`. The bundle carries only the key's hint (our keyid); the verifier is given the public key.
 * (docs/architecture.md §5.)
 */
import { DSSEBundleBuilder, type Signer as SigstoreSigner } from '@sigstore/sign';
import { bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { Buffer } from 'node:buffer';
import type { Signer } from '../../core/crypto/signer.js';
import { keyObjectOf } from '../../core/crypto/keys.js';
import { IN_TOTO_PAYLOAD_TYPE, checkStatement, type Statement } from '../../core/intoto/attestation/statement.js';

/** Our signer as a `@sigstore/sign` signer: the signature over DSSE's PAE bytes, the keyid as the key hint. */
export function sigstoreSignerOf(signer: Signer): SigstoreSigner {
  const publicKeyPem = keyObjectOf(signer.publicKey).export({ type: 'spki', format: 'pem' }) as string;
  return {
    sign: async (data: Buffer) => ({
      signature: Buffer.from(await signer.sign(data)),
      key: { $case: 'publicKey', publicKey: publicKeyPem, hint: signer.keyid },
    }),
  };
}

/** Sign the statement (DSSE payloadType `application/vnd.in-toto+json`) into a serialized Sigstore bundle. */
export async function signStatement(statement: Statement<unknown>, signer: Signer): Promise<SerializedBundle> {
  checkStatement(statement);
  const builder = new DSSEBundleBuilder({ signer: sigstoreSignerOf(signer), witnesses: [] });
  const bundle = await builder.create({ data: Buffer.from(JSON.stringify(statement), 'utf8'), type: IN_TOTO_PAYLOAD_TYPE });
  return bundleToJSON(bundle);
}
