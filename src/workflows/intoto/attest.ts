/**
 * `attest` and `attest verify`: an in-toto Statement v1 about a CNAB bundle (subjects: the canonical bundle
 * digest and the digests of its pinned images) with an SLSA provenance v1 predicate, the link predicate of a
 * step, or a predicate from a file, signed into a Sigstore bundle with a local key; and its offline verification.
 */
import { readFileBounded, readJsonFile, writeFileAtomic } from '../../adapters/fs/index.js';
import { loadPublicKey, loadSigner } from '../../adapters/intoto/key-files.js';
import { signStatement } from '../../adapters/attestation/sigstore-sign.js';
import { canonicalBundle, parseBundle } from '../../core/cnab/index.js';
import { CnabTrustError } from '../../core/errors.js';
import { bundleSubjects } from '../../core/intoto/attestation/bundle-subjects.js';
import { SLSA_PROVENANCE_V1, slsaProvenance } from '../../core/intoto/attestation/slsa-provenance.js';
import { makeStatement, type ResourceDescriptor } from '../../core/intoto/attestation/statement.js';
import { verifyAttestation } from '../../core/intoto/attestation/verify-attestation.js';
import { LINK_PREDICATE_V03, linkPredicate } from '../../core/intoto/attestation/link-predicate.js';
import { MAX_METADATA_BYTES, parseMetadataJson } from '../../core/intoto/json.js';
import { parseMetablock } from '../../core/intoto/metadata.js';

/** Short names accepted by `--predicate-type`. */
export const PREDICATE_TYPE_ALIASES: Record<string, string> = {
  slsa: SLSA_PROVENANCE_V1,
  'slsa-provenance': SLSA_PROVENANCE_V1,
  link: LINK_PREDICATE_V03,
};

const MAX_ATTESTATION_BYTES = 16 * 1024 * 1024;

export interface AttestOptions {
  bundle: string;
  key: string;
  output: string;
  /** A URI or an alias (`slsa`). Default `slsa`. */
  predicateType?: string;
  /** A JSON file holding the predicate (required for a predicate type we do not build). */
  predicate?: string;
  /** The link file of a step, for the link predicate. */
  link?: string;
  /** SLSA `runDetails.builder.id`. */
  builderId?: string;
  now?: () => Date;
}

export interface AttestReport {
  attestation: string;
  bundle: string;
  bundleDigest: string;
  predicateType: string;
  keyid: string;
  subjects: ResourceDescriptor[];
  unpinnedImages: string[];
}

export async function attestBundle(o: AttestOptions): Promise<AttestReport> {
  const now = o.now ?? (() => new Date());
  const requested = o.predicateType ?? 'slsa';
  const predicateType = PREDICATE_TYPE_ALIASES[requested] ?? requested;
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(predicateType)) {
    throw new CnabTrustError('E_USAGE', `--predicate-type ${requested} is neither a URI nor one of: ${Object.keys(PREDICATE_TYPE_ALIASES).join(', ')}`, {
      subject: requested,
    });
  }
  const bundle = parseBundle(await readFileBounded(o.bundle, { what: 'bundle' }));
  const { subjects, bundleDigest, unpinnedImages } = bundleSubjects(bundle);

  let predicate: Record<string, unknown>;
  if (o.predicate !== undefined) {
    const { value } = await readJsonFile(o.predicate, { what: 'predicate' });
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new CnabTrustError('E_ATTESTATION_INVALID', `predicate file ${o.predicate} must hold a JSON object`, { subject: o.predicate });
    }
    predicate = value as Record<string, unknown>;
  } else if (predicateType === LINK_PREDICATE_V03) {
    if (o.link === undefined) throw new CnabTrustError('E_USAGE', 'the link predicate needs the step\'s link: pass --link <step>.<keyid8>.link', { subject: predicateType });
    const bytes = await readFileBounded(o.link, { maxBytes: MAX_METADATA_BYTES, what: 'link' });
    const mb = parseMetablock(parseMetadataJson(bytes, o.link), o.link);
    if (mb.signed.kind !== 'link') throw new CnabTrustError('E_INTOTO_INVALID', `${o.link} is a layout, not a link`, { subject: o.link });
    predicate = linkPredicate(mb.signed.link) as unknown as Record<string, unknown>;
  } else if (predicateType === SLSA_PROVENANCE_V1) {
    const t = now();
    predicate = slsaProvenance({
      builderId: o.builderId ?? 'urn:cnab-trust:builder:local',
      externalParameters: { bundle: { name: bundle.name, version: bundle.version } },
      resolvedDependencies: subjects.slice(1),
      startedOn: t,
      finishedOn: t,
    }) as unknown as Record<string, unknown>;
  } else {
    throw new CnabTrustError('E_USAGE', `predicate type ${predicateType} needs its predicate: pass --predicate FILE.json`, { subject: predicateType });
  }

  const signer = await loadSigner(o.key);
  const statement = makeStatement(subjects, predicateType, predicate);
  const sigstoreBundle = await signStatement(statement, signer);
  await writeFileAtomic(o.output, JSON.stringify(sigstoreBundle, null, 2) + '\n');
  return { attestation: o.output, bundle: o.bundle, bundleDigest, predicateType, keyid: signer.keyid, subjects, unpinnedImages };
}

export interface AttestVerifyOptions {
  attestation: string;
  key: string;
  /** When given, a subject must carry this bundle's canonical digest. */
  bundle?: string;
}

export interface AttestVerifyReport {
  attestation: string;
  verified: true;
  keyid: string;
  keyHint: string;
  predicateType: string;
  subjects: ResourceDescriptor[];
  bundleDigest?: string;
  matchedSubject?: string;
  predicate?: unknown;
}

export async function verifyAttestationFile(o: AttestVerifyOptions): Promise<AttestVerifyReport> {
  const { value } = await readJsonFile(o.attestation, { what: 'attestation', maxBytes: MAX_ATTESTATION_BYTES });
  const key = await loadPublicKey(o.key, '--key');
  let expected: { algorithm: string; hex: string } | undefined;
  let bundleDigest: string | undefined;
  if (o.bundle !== undefined) {
    bundleDigest = canonicalBundle(parseBundle(await readFileBounded(o.bundle, { what: 'bundle' }))).digest;
    const [algorithm, hex] = bundleDigest.split(':') as [string, string];
    expected = { algorithm, hex };
  }
  const v = verifyAttestation(value, key, o.attestation, expected);
  return {
    attestation: o.attestation,
    verified: true,
    keyid: key.keyid,
    keyHint: v.keyHint,
    predicateType: v.statement.predicateType,
    subjects: v.statement.subject,
    ...(bundleDigest === undefined ? {} : { bundleDigest }),
    ...(v.matchedSubject === undefined ? {} : { matchedSubject: v.matchedSubject }),
    ...(v.statement.predicate === undefined ? {} : { predicate: v.statement.predicate }),
  };
}
