/**
 * Every image a bundle names (CNAB 101 "invocationImages" and "images"), in a fixed order: invocation images
 * in array order, then component images by component name (UTF-16 code unit order, the canonical order).
 * Relocation (CNAB 103), pushing (CNAB 200) and verification (CNAB-Sec 303) all walk this list.
 */
import { formatJsonPath } from '../json/index.js';
import type { Bundle, InvocationImage } from './model.js';

export type BundleImageKind = 'invocation' | 'component';

export interface BundleImage {
  kind: BundleImageKind;
  /** The image reference exactly as written in the bundle (`image` member). */
  reference: string;
  /** Component name (key of the `images` map); absent for invocation images. */
  component?: string;
  /** Index in `invocationImages`; absent for component images. */
  index?: number;
  /** Where the image is in the bundle, e.g. `$.invocationImages[0]` or `$.images["my-microservice"]`. */
  path: string;
  contentDigest?: string;
  size?: number;
  mediaType?: string;
  /** `oci` when the bundle does not say. */
  imageType: string;
}

export function bundleImages(bundle: Bundle): BundleImage[] {
  const out: BundleImage[] = [];
  bundle.invocationImages.forEach((img, index) => {
    out.push({ kind: 'invocation', index, path: formatJsonPath(['invocationImages', index]), ...describe(img) });
  });
  const images = bundle.images ?? {};
  for (const component of Object.keys(images).sort()) {
    out.push({ kind: 'component', component, path: formatJsonPath(['images', component]), ...describe(images[component]!) });
  }
  return out;
}

/** The members every image entry has in common, with `imageType` defaulted (CNAB 101: `oci`). */
function describe(img: InvocationImage): Pick<BundleImage, 'reference' | 'imageType' | 'contentDigest' | 'size' | 'mediaType'> {
  return {
    reference: img.image,
    imageType: img.imageType ?? 'oci',
    ...(img.contentDigest === undefined ? {} : { contentDigest: img.contentDigest }),
    ...(img.size === undefined ? {} : { size: img.size }),
    ...(img.mediaType === undefined ? {} : { mediaType: img.mediaType }),
  };
}

/** The distinct image references of a bundle, in `bundleImages` order. */
export function bundleImageReferences(bundle: Bundle): string[] {
  return [...new Set(bundleImages(bundle).map((i) => i.reference))];
}
