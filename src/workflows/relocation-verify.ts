/**
 * `relocation verify`: the offline relocation check (core/relocation: every image a key, pinned digests equal to
 * the signed `contentDigest`) plus a live check: the manifest each relocated reference names is fetched whole (GET,
 * bounded, by digest when pinned, else by tag: the bytes the tag serves now) and hashed here; that hash must be the
 * signed `contentDigest` (CNAB-Sec 303: "if any digests don't match relocation, runtimes must error out"). A
 * registry's `Docker-Content-Digest` header is never trusted: a HEAD answered with the signed digest proves nothing
 * about the bytes a GET serves (test/attacks/relocation.test.ts runs registries that lie that way).
 * The bundle comes from a file, or from a registry / OCI layout reference (pulled and checked as `pull` does).
 */
import { stat } from 'node:fs/promises';
import { readFileBounded } from '../adapters/fs/index.js';
import { openLocation } from '../adapters/oci/open-store.js';
import type { OciStore } from '../adapters/oci/store.js';
import { isCnabTrustError } from '../core/errors.js';
import { isValidDigest } from '../core/oci/digest.js';
import { MAX_MANIFEST_BYTES } from '../core/oci/manifest.js';
import { bundleImages, parseBundle, type Bundle } from '../core/cnab/index.js';
import {
  assertRelocatedImages,
  checkRelocationMapping,
  judgeResolvedImage,
  type FetchedManifestCheck,
  type RelocatedImageResult,
  type RelocationMapping,
} from '../core/relocation/index.js';
import { readBundleFromStore } from './pull.js';
import { registryClient, type RegistryAccess } from './registry-access.js';
import { readRelocationMapping } from './relocation-check.js';

export interface RelocationVerifyReport {
  bundle: string;
  mapping: string;
  ok: boolean;
  images: RelocatedImageResult[];
  unusedKeys: string[];
}

async function loadBundle(bundleOrRef: string, access: RegistryAccess): Promise<Bundle> {
  const isFile = await stat(bundleOrRef).then(
    (s) => s.isFile(),
    () => false,
  );
  if (isFile) return parseBundle(await readFileBounded(bundleOrRef, { what: 'bundle' }), { source: bundleOrRef });
  return (await readBundleFromStore(openLocation(bundleOrRef, registryClient(access)))).bundle;
}

/** Verify; throws `E_RELOCATION_MISSING`, `E_RELOCATED_DIGEST_MISMATCH` or `E_RELOCATED_IMAGE_MISSING` unless every image holds. */
export async function relocationVerify(bundleOrRef: string, mappingFile: string, access: RegistryAccess = {}): Promise<RelocationVerifyReport> {
  const bundle = await loadBundle(bundleOrRef, access);
  const mapping = await readRelocationMapping(mappingFile);
  const { images, unusedKeys } = await verifyRelocatedImages(bundle, mapping, access);
  return { bundle: bundleOrRef, mapping: mappingFile, ok: true, images, unusedKeys };
}

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
