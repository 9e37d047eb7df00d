/**
 * The live half of relocation verification (CNAB 103, CNAB-Sec 303): the manifest each relocated reference names is
 * fetched whole (GET, bounded) and hashed here; core/relocation judges the digests. A registry's
 * `Docker-Content-Digest` header is never trusted.
 */
import type { Bundle } from '../../core/cnab/index.js';
import { bundleImages } from '../../core/cnab/index.js';
import { isCnabTrustError } from '../../core/errors.js';
import { isValidDigest } from '../../core/oci/digest.js';
import { MAX_MANIFEST_BYTES } from '../../core/oci/manifest.js';
import {
  assertRelocatedImages,
  checkRelocationMapping,
  judgeResolvedImage,
  type FetchedManifestCheck,
  type RelocatedImageResult,
  type RelocationMapping,
} from '../../core/relocation/index.js';
import { openLocation } from './open-store.js';
import { registryClient, type RegistryAccess } from './registry-access.js';
import type { OciStore } from './store.js';

/**
 * The check of a bundle already in hand against a mapping already read: offline plan, then each relocated reference
 * resolved live (the end-to-end verifier calls this with the verified bundle). Throws as `relocationVerify`.
 */
export async function verifyRelocatedImages(
  bundle: Bundle,
  mapping: RelocationMapping,
  access: RegistryAccess = {},
): Promise<{ images: RelocatedImageResult[]; unusedKeys: string[] }> {
  const plan = checkRelocationMapping(bundleImages(bundle), mapping);
  const client = registryClient(access);
  const results = await Promise.all(
    plan.entries.map(async (entry) => {
      const opened = openLocation(entry.relocated, client, `relocated reference of ${entry.label}`);
      const served = await hashServedManifest(opened.store, opened.reference ?? 'latest');
      return served === null ? judgeResolvedImage(entry, null) : judgeResolvedImage(entry, served.digest, served.fetched);
    }),
  );
  assertRelocatedImages(results);
  return { images: results, unusedKeys: plan.unusedKeys };
}

/**
 * The digest of the manifest bytes `reference` serves in `store`: fetched whole (GET, at most MAX_MANIFEST_BYTES)
 * and hashed here; `null` when there is none. By digest, other bytes are a mismatch (their own digest is returned
 * for the verdict); by tag, the digest is that of the bytes the tag serves, whatever header came with them.
 */
async function hashServedManifest(store: OciStore, reference: string): Promise<{ digest: string; fetched: FetchedManifestCheck } | null> {
  const by = isValidDigest(reference) ? 'digest' : 'tag';
  try {
    const { descriptor, bytes } = await store.fetchManifest(reference, MAX_MANIFEST_BYTES);
    return { digest: descriptor.digest, fetched: { by, bytes: bytes.byteLength } };
  } catch (e) {
    if (!isCnabTrustError(e)) throw e;
    if (e.code === 'E_OCI_NOT_FOUND') return null;
    // the store hashed the bytes and found another digest than the one asked for (or than a header claimed)
    const actual = (e.details as { actual?: unknown } | undefined)?.actual;
    if (e.code === 'E_OCI_DIGEST_MISMATCH' && typeof actual === 'string' && isValidDigest(actual)) return { digest: actual, fetched: { by } };
    throw e;
  }
}
