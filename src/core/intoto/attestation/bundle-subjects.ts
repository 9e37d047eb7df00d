/**
 * The subjects of an attestation about a CNAB bundle: the bundle itself, named `<name>@<version>` with the
 * digest of its canonical bytes (the artifact CNAB-Sec 300 signs), then every image the bundle pins by
 * content digest, named by its reference. Images without a contentDigest cannot be subjects (a subject needs
 * a digest); they are returned apart so the caller can say so.
 */
import { bundleImages, canonicalBundle, type Bundle } from '../../cnab/index.js';
import { parseDigest } from '../../reference/index.js';
import type { ResourceDescriptor } from './statement.js';

export const CNAB_BUNDLE_MEDIA_TYPE = 'application/vnd.cnab.bundle.config.v1+json';

export interface BundleSubjects {
  subjects: ResourceDescriptor[];
  /** `sha256:<hex>` of the canonical bundle bytes. */
  bundleDigest: string;
  /** Image references left out because the bundle gives no contentDigest for them. */
  unpinnedImages: string[];
}

/** `{sha256: hex}` from `sha256:hex` (a malformed digest is refused with E_DIGEST_INVALID naming the subject). */
export function digestSetOf(digest: string, subject?: string): Record<string, string> {
  const d = parseDigest(digest, subject === undefined ? {} : { subject });
  return { [d.algorithm]: d.hex };
}

export function bundleSubjects(bundle: Bundle): BundleSubjects {
  const canonical = canonicalBundle(bundle);
  const subjects: ResourceDescriptor[] = [
    { name: `${bundle.name}@${bundle.version}`, digest: digestSetOf(canonical.digest), mediaType: CNAB_BUNDLE_MEDIA_TYPE },
  ];
  const unpinnedImages: string[] = [];
  for (const img of bundleImages(bundle)) {
    if (img.contentDigest === undefined) {
      unpinnedImages.push(img.reference);
      continue;
    }
    subjects.push({
      name: img.reference,
      digest: digestSetOf(img.contentDigest, img.reference),
      ...(img.mediaType === undefined ? {} : { mediaType: img.mediaType }),
    });
  }
  return { subjects, bundleDigest: canonical.digest, unpinnedImages };
}
