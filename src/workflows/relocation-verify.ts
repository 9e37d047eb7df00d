/**
 * `relocation verify`: the offline relocation check (core/relocation: every image a key, pinned digests equal to
 * the signed `contentDigest`) plus live resolution: each relocated reference is resolved in its registry (manifest
 * HEAD, by tag or by digest) and the digest it resolves to must be the signed `contentDigest`; a reference pinned
 * by digest must exist there (CNAB-Sec 303: "if any digests don't match relocation, runtimes must error out").
 * The bundle comes from a file, or from a registry / OCI layout reference (pulled and checked as `pull` does).
 */
import { stat } from 'node:fs/promises';
import { readFileBounded } from '../adapters/fs/index.js';
import { openLocation } from '../adapters/oci/open-store.js';
import { bundleImages, parseBundle, type Bundle } from '../core/cnab/index.js';
import {
  assertRelocatedImages,
  checkRelocationMapping,
  judgeResolvedImage,
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
      // HEAD of the manifest, by digest when pinned (it must exist), else by tag (it must resolve to contentDigest);
      // an OCI layout directory answers the same question from its index.json.
      const resolved = await opened.store.resolve(opened.reference ?? 'latest');
      return judgeResolvedImage(entry, resolved === undefined ? null : resolved.digest);
    }),
  );
  assertRelocatedImages(results);
  return { images: results, unusedKeys: plan.unusedKeys };
}
