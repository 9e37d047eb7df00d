/**
 * The pin rule of a bundle's images (CNAB 101 `contentDigest`, CNAB-Sec 303 step 3): an image is pinned by its
 * `contentDigest`, and its `image` reference may carry a digest too (`repo@sha256:…`). When both are written they
 * must name the same manifest. A bundle that says two things about one image is refused (E_IMAGE_PIN_CONFLICT):
 * a runtime that pulls `image` would run one manifest while every signed check looked at the other.
 *
 * Run by `parseBundle`, so every command that reads a bundle (validate, push, sign, verify, pull, relocation) holds
 * it. A reference or digest that does not parse is left to the checks that report it (E_REFERENCE_INVALID,
 * E_DIGEST_INVALID), which name it better.
 */
import { CnabTrustError } from '../errors.js';
import { parseDigest, quoteUntrusted } from '../reference/digest.js';
import { parseReference } from '../reference/reference.js';
import type { BundleImage } from './images.js';

/** The digest the `image` reference of `img` carries, or undefined (none, or it does not parse). */
export function referenceDigest(img: Pick<BundleImage, 'reference'>): string | undefined {
  try {
    return parseReference(img.reference).digest;
  } catch {
    return undefined;
  }
}

/** Throw E_IMAGE_PIN_CONFLICT naming every image whose reference digest differs from its `contentDigest`. */
export function assertImagePinsAgree(images: readonly BundleImage[], source = 'bundle.json'): void {
  const conflicts: Array<{ image: BundleImage; inReference: string; contentDigest: string }> = [];
  for (const image of images) {
    if (image.contentDigest === undefined) continue;
    const inReference = referenceDigest(image);
    if (inReference === undefined) continue;
    let contentDigest: string;
    try {
      contentDigest = parseDigest(image.contentDigest).toString();
    } catch {
      continue;
    }
    if (contentDigest !== inReference) conflicts.push({ image, inReference, contentDigest });
  }
  if (conflicts.length === 0) return;
  const first = conflicts[0]!;
  throw new CnabTrustError(
    'E_IMAGE_PIN_CONFLICT',
    `${source}: ${first.image.path} ${quoteUntrusted(first.image.reference)} is pinned by its reference to ${first.inReference} ` +
      `but its contentDigest is ${first.contentDigest}` +
      (conflicts.length > 1 ? ` (and ${conflicts.length - 1} more image(s))` : ''),
    {
      subject: first.image.reference,
      hint: 'an image may be pinned by its reference, by contentDigest, or both, but both must name the same manifest: fix the bundle',
      details: {
        conflicts: conflicts.map((c) => ({ path: c.image.path, reference: c.image.reference, referenceDigest: c.inReference, contentDigest: c.contentDigest })),
      },
    },
  );
}
