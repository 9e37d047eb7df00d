/**
 * `relocation verify`: the offline relocation check (core/relocation: every image a key, pinned digests equal to
 * the signed `contentDigest`) plus a live check: the manifest each relocated reference names is fetched whole (GET,
 * bounded, by digest when pinned, else by tag: the bytes the tag serves now) and hashed here; that hash must be the
 * signed `contentDigest` (CNAB-Sec 303: "if any digests don't match relocation, runtimes must error out"). A
 * registry's `Docker-Content-Digest` header is never trusted: a HEAD answered with the signed digest proves nothing
 * about the bytes a GET serves (test/attacks/relocation.test.ts runs registries that lie that way).
 * The bundle comes from a file, or from a registry / OCI layout reference (pulled and checked as `pull` does).
 */
import { isRegularFile, readFileBounded } from '../../adapters/fs/index.js';
import { openLocation } from '../../adapters/oci/open-store.js';
import { parseBundle, type Bundle } from '../../core/cnab/index.js';
import type { RelocatedImageResult } from '../../core/relocation/index.js';
import { verifyRelocatedImages } from '../../adapters/oci/relocated-images.js';
import { readBundleFromStore } from '../../adapters/oci/stored-bundle.js';
import { registryClient, type RegistryAccess } from '../../adapters/oci/registry-access.js';
import { readRelocationMapping } from '../../adapters/relocation/mapping-file.js';

export interface RelocationVerifyReport {
  bundle: string;
  mapping: string;
  ok: boolean;
  images: RelocatedImageResult[];
  unusedKeys: string[];
}

async function loadBundle(bundleOrRef: string, access: RegistryAccess): Promise<Bundle> {
  if (await isRegularFile(bundleOrRef)) return parseBundle(await readFileBounded(bundleOrRef, { what: 'bundle' }), { source: bundleOrRef });
  return (await readBundleFromStore(openLocation(bundleOrRef, registryClient(access)))).bundle;
}

/** Verify; throws `E_RELOCATION_MISSING`, `E_RELOCATED_DIGEST_MISMATCH` or `E_RELOCATED_IMAGE_MISSING` unless every image holds. */
export async function relocationVerify(bundleOrRef: string, mappingFile: string, access: RegistryAccess = {}): Promise<RelocationVerifyReport> {
  const bundle = await loadBundle(bundleOrRef, access);
  const mapping = await readRelocationMapping(mappingFile);
  const { images, unusedKeys } = await verifyRelocatedImages(bundle, mapping, access);
  return { bundle: bundleOrRef, mapping: mappingFile, ok: true, images, unusedKeys };
}

