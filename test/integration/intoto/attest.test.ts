/**
 * Attestations: a Statement about a bundle, signed into a Sigstore bundle with a local key of each type and
 * verified offline with @sigstore/verify; tampering with the payload, the signature or the key must fail.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/fixtures.js';
import { generateKey, type KeyKind } from '../../../src/core/crypto/keygen.js';
import { SslibSigner } from '../../../src/core/crypto/sslib-signer.js';
import { parseBundle } from '../../../src/core/cnab/index.js';
import { bundleSubjects } from '../../../src/core/intoto/attestation/bundle-subjects.js';
import { makeStatement } from '../../../src/core/intoto/attestation/statement.js';
import { SLSA_PROVENANCE_V1, slsaProvenance } from '../../../src/core/intoto/attestation/slsa-provenance.js';
import { verifyAttestation } from '../../../src/core/intoto/attestation/verify-attestation.js';
import { signStatement, sigstoreSignerOf } from '../../../src/adapters/attestation/sigstore-sign.js';
import { DSSEBundleBuilder } from '@sigstore/sign';
import { bundleToJSON } from '@sigstore/bundle';


function codeOf(e: unknown): string | undefined {
  return (e as { code?: string }).code;
}

describe('intoto attest: Statement v1 in a Sigstore bundle, verified offline', () => {
  const bundleBytes = readFileSync(path.join(repoRoot, 'test/fixtures/intoto/bundle.json'));
  const bundle = parseBundle(bundleBytes);
  const { subjects, bundleDigest } = bundleSubjects(bundle);
  const statement = makeStatement(
    subjects,
    SLSA_PROVENANCE_V1,
    slsaProvenance({ builderId: 'urn:test', externalParameters: { bundle: { name: bundle.name, version: bundle.version } }, startedOn: new Date(0) }),
  );
  const [algorithm, hex] = bundleDigest.split(':') as [string, string];

  for (const kind of ['ed25519', 'ecdsa', 'rsa'] as KeyKind[]) {
    it(`round trip with a ${kind} key, and every tamper fails`, async () => {
      const key = generateKey(kind, 2048);
      const signer = new SslibSigner(key.publicKey, key.privateKey);
      const sb = await signStatement(statement, signer);
      const ok = verifyAttestation(JSON.parse(JSON.stringify(sb)), key.publicKey, 'att.json', { algorithm, hex });
      assert.equal(ok.keyHint, key.publicKey.keyid);
      assert.equal(ok.matchedSubject, `${bundle.name}@${bundle.version}`);
      assert.deepEqual(ok.statement, JSON.parse(JSON.stringify(statement)));

      // another key
      const other = generateKey(kind, 2048);
      assert.throws(() => verifyAttestation(sb, other.publicKey, 'att.json'), (e) => codeOf(e) === 'E_SIGNATURE_INVALID');
      // payload changed after signing
      const tampered = JSON.parse(JSON.stringify(sb)) as { dsseEnvelope: { payload: string; signatures: { sig: string }[] } };
      const st = JSON.parse(Buffer.from(tampered.dsseEnvelope.payload, 'base64').toString()) as { subject: { digest: { sha256: string } }[] };
      st.subject[0]!.digest.sha256 = '0'.repeat(64);
      tampered.dsseEnvelope.payload = Buffer.from(JSON.stringify(st)).toString('base64');
      assert.throws(() => verifyAttestation(tampered, key.publicKey, 'att.json'), (e) => codeOf(e) === 'E_SIGNATURE_INVALID');
      // signature bytes changed
      const badSig = JSON.parse(JSON.stringify(sb)) as typeof tampered;
      const sig = Buffer.from(badSig.dsseEnvelope.signatures[0]!.sig, 'base64');
      sig[sig.length - 1]! ^= 1;
      badSig.dsseEnvelope.signatures[0]!.sig = sig.toString('base64');
      assert.throws(() => verifyAttestation(badSig, key.publicKey, 'att.json'), (e) => codeOf(e) === 'E_SIGNATURE_INVALID');
      // right signature, wrong expected digest
      assert.throws(() => verifyAttestation(sb, key.publicKey, 'att.json', { algorithm, hex: '1'.repeat(64) }), (e) => codeOf(e) === 'E_DIGEST_MISMATCH');
    });
  }

  it('refuses a validly signed envelope whose payload is not an in-toto Statement (type, JSON, shape)', async () => {
    const key = generateKey('ed25519');
    const signer = new SslibSigner(key.publicKey, key.privateKey);
    const signed = async (data: string, type: string): Promise<unknown> =>
      bundleToJSON(await new DSSEBundleBuilder({ signer: sigstoreSignerOf(signer), witnesses: [] }).create({ data: Buffer.from(data), type }));
    const cases: Array<[string, string, RegExp]> = [
      [JSON.stringify(statement), 'application/json', /payloadType/],
      ['not json {', 'application/vnd.in-toto+json', /not JSON/],
      [JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [] }), 'application/vnd.in-toto+json', /statement|subject|predicate/i],
    ];
    for (const [data, type, message] of cases) {
      const sb = await signed(data, type);
      assert.throws(
        () => verifyAttestation(sb, key.publicKey, 'att.json'),
        (e) => codeOf(e) === 'E_ATTESTATION_INVALID' && message.test((e as Error).message),
        `${type} ${data.slice(0, 30)}`,
      );
    }
  });

  it('refuses what is not a Sigstore bundle', () => {
    const key = generateKey('ed25519');
    assert.throws(() => verifyAttestation({ hello: 1 }, key.publicKey, 'x.json'), (e) => codeOf(e) === 'E_ATTESTATION_INVALID');
  });
});
