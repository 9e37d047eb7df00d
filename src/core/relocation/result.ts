/**
 * The live half of relocation verification, as a pure judgment: an adapter fetches the manifest each relocated
 * reference names (GET, by tag or by digest), hashes its bytes and hands that digest here; this module decides.
 * `relocation verify` (OCI) and the end-to-end verifier both build their report from these results.
 *
 * CNAB-Sec 303 and CNAB 103: every relocated reference is resolved; its digest must equal the signed `contentDigest`;
 * a reference pinned by digest must also exist in its registry.
 */
import { CnabTrustError, type ErrorCode } from '../errors.js';
import { quoteUntrusted } from '../reference/digest.js';
import { relocatedDigestMismatch, type RelocatedImageIdentity, type RelocationEntry, type RelocationPlan } from './check.js';

/**
 * What was checked of a relocated image live: its manifest was fetched (GET, bounded) by digest or by tag and its
 * bytes were hashed here; the digest is that hash, never a registry header (Docker-Content-Digest).
 */
export interface FetchedManifestCheck {
  by: 'digest' | 'tag';
  /** How many manifest bytes were hashed (absent when they hashed to another digest than the one asked for). */
  bytes?: number;
}

/** The outcome for one image of the bundle. */
export interface RelocatedImageResult extends RelocatedImageIdentity {
  /** The digest of the manifest bytes its location served (`null`: not found; `undefined`: not resolved, an offline check). */
  resolvedDigest: string | null | undefined;
  /** How the manifest was fetched and hashed, when it was. */
  fetched?: FetchedManifestCheck;
  ok: boolean;
  /** Why not ok. */
  code?: Extract<ErrorCode, 'E_RELOCATED_DIGEST_MISMATCH' | 'E_RELOCATED_IMAGE_MISSING'>;
}

/** The identity of a plan entry (what names the image in every report), without the parsed reference. */
export function relocatedImageIdentity(entry: RelocationEntry): RelocatedImageIdentity {
  return {
    kind: entry.kind,
    ...(entry.component === undefined ? {} : { component: entry.component }),
    ...(entry.index === undefined ? {} : { index: entry.index }),
    label: entry.label,
    original: entry.original,
    relocated: entry.relocated,
    expectedDigest: entry.expectedDigest,
  };
}

/**
 * Judge one relocated image given what its registry resolved the relocated reference to (`null` when the registry
 * has no such manifest). For a pinned reference the registry must hold exactly that digest.
 */
export function judgeResolvedImage(entry: RelocationEntry, resolvedDigest: string | null, fetched?: FetchedManifestCheck): RelocatedImageResult {
  const base = { ...relocatedImageIdentity(entry), resolvedDigest, ...(fetched === undefined ? {} : { fetched }) };
  if (resolvedDigest === null) return { ...base, ok: false, code: 'E_RELOCATED_IMAGE_MISSING' };
  if (resolvedDigest !== entry.expectedDigest) return { ...base, ok: false, code: 'E_RELOCATED_DIGEST_MISMATCH' };
  return { ...base, ok: true };
}

/** What a live check did, in one sentence for a verdict: how many manifests were fetched and hashed, and how. */
export function describeFetchedChecks(results: readonly RelocatedImageResult[]): string {
  const byDigest = results.filter((r) => r.fetched?.by === 'digest').length;
  const byTag = results.filter((r) => r.fetched?.by === 'tag').length;
  const how = [byDigest > 0 ? `${byDigest} by digest` : '', byTag > 0 ? `${byTag} by tag` : ''].filter((s) => s !== '').join(', ');
  return (
    `each relocated manifest was fetched whole (GET${how === '' ? '' : `: ${how}`}) and its bytes hashed here; ` +
    'no registry digest header was trusted; layers and config blobs were not fetched'
  );
}

/** The results of the offline check alone: pinned entries are ok, tag-only entries are not yet resolved (not ok). */
export function offlineResults(plan: RelocationPlan): RelocatedImageResult[] {
  return plan.entries.map((e) => ({ ...relocatedImageIdentity(e), resolvedDigest: undefined, ok: e.status === 'pinned' }));
}

/**
 * Throw the verdict of a live check: `E_RELOCATED_DIGEST_MISMATCH` if any image resolved to another digest (naming
 * the image, both references and both digests), else `E_RELOCATED_IMAGE_MISSING` if any is absent from its
 * registry. Every failing image is in the error's details. Returns normally only when every image holds.
 */
export function assertRelocatedImages(results: readonly RelocatedImageResult[]): void {
  const mismatched = results.filter((r) => r.code === 'E_RELOCATED_DIGEST_MISMATCH');
  if (mismatched.length > 0) {
    throw relocatedDigestMismatch(
      mismatched.map((r) => ({ entry: r, actual: r.resolvedDigest as string })),
      'resolved',
    );
  }
  const missing = results.filter((r) => r.code === 'E_RELOCATED_IMAGE_MISSING');
  if (missing.length > 0) {
    const first = missing[0]!;
    throw new CnabTrustError(
      'E_RELOCATED_IMAGE_MISSING',
      `relocated ${first.label}: ${quoteUntrusted(first.relocated)} (for ${quoteUntrusted(first.original)}) does not exist in its registry` +
        (missing.length > 1 ? ` (and ${missing.length - 1} more image(s))` : ''),
      {
        subject: first.original,
        hint: 'copy the image to the relocated repository (cnab-trust relocate) or fix the mapping',
        details: { missing: missing.map((r) => ({ image: r.label, original: r.original, relocated: r.relocated, expectedDigest: r.expectedDigest })) },
      },
    );
  }
  const unresolved = results.filter((r) => !r.ok);
  if (unresolved.length > 0) {
    throw new CnabTrustError('E_INTERNAL', `${unresolved.length} relocated image(s) were not resolved before the verdict`, {
      subject: unresolved[0]!.original,
    });
  }
}
