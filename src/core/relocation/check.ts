/**
 * The offline half of relocation verification (CNAB 103 relocation mapping, CNAB-Sec 303 "relocated images"):
 * bytes in, a plan or a typed error out. No network: what a registry must still confirm is returned, not fetched.
 *
 * Checks, in order (each error lists every offender of its kind, not just the first):
 *  1. every key is a valid image reference, every value a reference or an OCI layout location (oci:dir@digest)
 *                                                                               -> E_REFERENCE_INVALID / E_DIGEST_INVALID
 *  2. equivalent keys map to equivalent values (CNAB 103)                 -> E_RELOCATION_INVALID
 *  3. every image reference of the bundle is a key, exactly as written         -> E_RELOCATION_MISSING
 *  4. every image of the bundle is pinned by a valid `contentDigest`          -> E_IMAGE_UNPINNED / E_DIGEST_INVALID
 *  5. a relocated reference pinned by digest carries that `contentDigest`      -> E_RELOCATED_DIGEST_MISMATCH
 * Relocated references without a digest are returned in `toResolve`: a registry must resolve them and the resolved
 * digest must equal `contentDigest` (see `judgeResolvedImage` in ./result.ts).
 *
 * Key lookup: CNAB 103 requires the mapping to hold every image reference of the bundle, and semantically equivalent
 * references (`ubuntu`, `library/ubuntu`, `docker.io/library/ubuntu:latest`) are separate keys mapping to equivalent
 * values. So a bundle image is looked up by its exact text only; an equivalent key does NOT stand in for it (runtimes
 * such as cnab-go look the mapping up by the exact `image` string, and would not find it). When only an equivalent
 * key is present the E_RELOCATION_MISSING hint names it.
 */
import { CnabTrustError } from '../errors.js';
import { parseDigest, quoteUntrusted } from '../reference/digest.js';
import { formatImageLocation, parseImageLocation, type ImageLocation } from '../reference/location.js';
import { parseReference, type ImageReference } from '../reference/reference.js';
import type { RelocationMapping } from './mapping.js';

/**
 * The facts of a bundle image the check needs. `BundleImage` from `core/cnab` (`bundleImages(bundle)`) has this
 * shape; the check takes the list so it stays independent of how the bundle was read.
 */
export interface RelocatableImage {
  kind: 'invocation' | 'component';
  /** The image reference exactly as written in the bundle. */
  reference: string;
  /** Component name (key of `images`); absent for invocation images. */
  component?: string;
  /** Index in `invocationImages`; absent for component images. */
  index?: number;
  contentDigest?: string;
}

/** How an image is named in messages: `component "web"` or `invocation image 0`. */
export function imageLabel(image: Pick<RelocatableImage, 'kind' | 'component' | 'index'>): string {
  return image.kind === 'component' ? `component ${quoteUntrusted(image.component ?? '?')}` : `invocation image ${image.index ?? 0}`;
}

/** Which image of the bundle, and where the mapping sends it: shared by the offline plan and the live results. */
export interface RelocatedImageIdentity {
  kind: 'invocation' | 'component';
  component?: string;
  index?: number;
  /** `component "web"` / `invocation image 0`. */
  label: string;
  /** The reference as written in the bundle (the mapping key). */
  original: string;
  /** The relocated reference as written in the mapping. */
  relocated: string;
  /** The signed `contentDigest` the relocated image must have. */
  expectedDigest: string;
}

/** One image of the bundle and where the mapping relocates it. */
export interface RelocationEntry extends RelocatedImageIdentity {
  /**
   * Where the relocated image lives: a registry reference, or an OCI image layout directory
   * (`oci:dir@sha256:…`, what `relocate` into a layout directory writes).
   */
  relocatedLocation: ImageLocation;
  /** The digest the relocated reference is pinned to, if any. */
  relocatedDigest: string | undefined;
  /**
   * `pinned`: the relocated reference carries the digest and it equals `expectedDigest` (checked offline; a registry
   * must still hold it). `resolve`: no digest; the registry must resolve the tag to `expectedDigest`.
   */
  status: 'pinned' | 'resolve';
}

export interface RelocationPlan {
  /** Every image of the bundle, in bundle order. */
  entries: RelocationEntry[];
  /** The entries whose relocated reference has no digest: what must still be resolved live in a registry. */
  toResolve: RelocationEntry[];
  /** Mapping keys that are not an image reference of the bundle (allowed, reported). */
  unusedKeys: string[];
}

function mappingKeySubject(key: string): string {
  return `relocation mapping key ${quoteUntrusted(key)}`;
}

/** Check a relocation mapping against a bundle's images (steps 1–5 above). Throws the first failing step's error. */
export function checkRelocationMapping(images: readonly RelocatableImage[], mapping: RelocationMapping): RelocationPlan {
  // 1. Every key is a valid reference; every value a valid reference or OCI layout location.
  const parsedKeys = new Map<string, ImageReference>();
  const parsedValues = new Map<string, ImageLocation>();
  for (const [key, value] of mapping) {
    parsedKeys.set(key, parseReference(key, { subject: mappingKeySubject(key) }));
    parsedValues.set(key, parseImageLocation(value, { subject: `relocated reference of ${quoteUntrusted(key)}` }));
  }

  // 2. CNAB 103: equivalent keys are separate keys mapping to equivalent values.
  const byDockerForm = new Map<string, string>();
  for (const [key, ref] of parsedKeys) {
    const form = ref.dockerForm();
    const other = byDockerForm.get(form);
    if (other === undefined) {
      byDockerForm.set(form, key);
    } else if (!sameLocation(parsedValues.get(key)!, parsedValues.get(other)!)) {
      throw new CnabTrustError(
        'E_RELOCATION_INVALID',
        `relocation mapping keys ${quoteUntrusted(other)} and ${quoteUntrusted(key)} name the same image but map to different images ` +
          `(${quoteUntrusted(mapping.get(other)!)} and ${quoteUntrusted(mapping.get(key)!)})`,
        { subject: key, details: { keys: [other, key], values: [mapping.get(other), mapping.get(key)] } },
      );
    }
  }

  // 3. CNAB 103: the mapping contains every image reference of the bundle (exact key).
  const missing = images.filter((img) => !mapping.has(img.reference));
  if (missing.length > 0) {
    const equivalents: Record<string, string> = {};
    for (const img of missing) {
      const ref = parseReference(img.reference, { subject: `${imageLabel(img)} (${img.reference})` });
      const eq = byDockerForm.get(ref.dockerForm());
      if (eq !== undefined) equivalents[img.reference] = eq;
    }
    const list = missing.map((img) => `${imageLabel(img)} ${quoteUntrusted(img.reference)}`).join(', ');
    const eqKeys = Object.entries(equivalents);
    throw new CnabTrustError('E_RELOCATION_MISSING', `relocation mapping has no entry for ${missing.length} image(s): ${list}`, {
      subject: missing[0]!.reference,
      hint:
        eqKeys.length > 0
          ? `CNAB 103 keys are the references exactly as the bundle writes them; the mapping has equivalent key(s) ${eqKeys
              .map(([want, have]) => `${quoteUntrusted(have)} for ${quoteUntrusted(want)}`)
              .join(', ')}: add the exact references`
          : 'add a key for each image reference exactly as written in bundle.json',
      details: { missing: missing.map((m) => ({ image: imageLabel(m), reference: m.reference })), equivalentKeys: equivalents },
    });
  }

  // 4. CNAB-Sec 303: every image is pinned by a valid contentDigest; otherwise relocation cannot be verified.
  const expected = assertImagesPinned(images);

  // 5. A relocated reference pinned by digest must carry the signed contentDigest.
  const entries: RelocationEntry[] = [];
  const mismatches: RelocationEntry[] = [];
  for (const img of images) {
    const relocatedLocation = parsedValues.get(img.reference)!;
    const relocatedDigest = locationDigest(relocatedLocation);
    const entry: RelocationEntry = {
      kind: img.kind,
      ...(img.component === undefined ? {} : { component: img.component }),
      ...(img.index === undefined ? {} : { index: img.index }),
      label: imageLabel(img),
      original: img.reference,
      relocated: mapping.get(img.reference)!,
      relocatedLocation,
      relocatedDigest,
      expectedDigest: expected.get(img)!,
      status: relocatedDigest === undefined ? 'resolve' : 'pinned',
    };
    if (relocatedDigest !== undefined && relocatedDigest !== entry.expectedDigest) mismatches.push(entry);
    entries.push(entry);
  }
  if (mismatches.length > 0) throw relocatedDigestMismatch(mismatches.map((m) => ({ entry: m, actual: m.relocatedDigest! })), 'pinned');

  const imageRefs = new Set(images.map((i) => i.reference));
  return {
    entries,
    toResolve: entries.filter((e) => e.status === 'resolve'),
    unusedKeys: [...mapping.keys()].filter((k) => !imageRefs.has(k)),
  };
}

function locationDigest(location: ImageLocation): string | undefined {
  return location.kind === 'registry' ? location.reference.digest : location.digest;
}

/** Two relocated locations name the same image: equivalent registry references, or the same layout location. */
function sameLocation(a: ImageLocation, b: ImageLocation): boolean {
  if (a.kind === 'registry' && b.kind === 'registry') return a.reference.equivalentTo(b.reference);
  return formatImageLocation(a) === formatImageLocation(b);
}

/**
 * The one rule "images must be pinned": every image names a `contentDigest`, or E_IMAGE_UNPINNED lists each one
 * that does not (a digest is what survives relocation). `hint` says what the caller's user can do about it.
 */
export function requirePinned(images: readonly Pick<RelocatableImage, 'kind' | 'component' | 'index' | 'contentDigest' | 'reference'>[], hint: string): void {
  const unpinned = images.filter((img) => img.contentDigest === undefined || img.contentDigest === '');
  if (unpinned.length === 0) return;
  throw new CnabTrustError(
    'E_IMAGE_UNPINNED',
    `${unpinned.length} image(s) of the bundle have no contentDigest, so their relocation cannot be verified: ` +
      unpinned.map((img) => `${imageLabel(img)} ${quoteUntrusted(img.reference)}`).join(', '),
    {
      subject: unpinned[0]!.reference,
      hint,
      details: { unpinned: unpinned.map((m) => ({ image: imageLabel(m), reference: m.reference })) },
    },
  );
}

/**
 * Before relocated images are trusted (CNAB 103): every image of the bundle is pinned by a valid `contentDigest` (E_IMAGE_UNPINNED listing
 * each unpinned image, E_DIGEST_INVALID for a malformed one). Returns each image's normalized digest.
 */
export function assertImagesPinned<I extends RelocatableImage>(images: readonly I[]): Map<I, string> {
  requirePinned(images, 'pin the images (cnab-trust push --fixup resolves and writes contentDigest) and sign the bundle again');
  const expected = new Map<I, string>();
  for (const img of images) {
    expected.set(img, parseDigest(img.contentDigest!, { subject: `contentDigest of ${imageLabel(img)} (${img.reference})` }).toString());
  }
  return expected;
}

/**
 * `E_RELOCATED_DIGEST_MISMATCH` naming the (first) image, both references and both digests; every mismatch is in
 * `details.mismatches`. `how` says where the wrong digest came from: the mapping (`pinned`) or a registry (`resolved`).
 */
export function relocatedDigestMismatch(
  mismatches: ReadonlyArray<{ entry: RelocatedImageIdentity; actual: string }>,
  how: 'pinned' | 'resolved',
): CnabTrustError {
  const first = mismatches[0]!;
  const verb = how === 'pinned' ? 'is pinned to' : 'resolves to';
  const more = mismatches.length > 1 ? ` (and ${mismatches.length - 1} more image(s))` : '';
  return new CnabTrustError(
    'E_RELOCATED_DIGEST_MISMATCH',
    `relocated ${first.entry.label}: ${quoteUntrusted(first.entry.relocated)} ${verb} ${first.actual} but the bundle's ` +
      `${quoteUntrusted(first.entry.original)} has contentDigest ${first.entry.expectedDigest}${more}`,
    {
      subject: first.entry.original,
      hint: 'the relocated image is not the signed image: do not run this bundle with this mapping',
      details: {
        mismatches: mismatches.map((m) => ({
          image: m.entry.label,
          original: m.entry.original,
          relocated: m.entry.relocated,
          expectedDigest: m.entry.expectedDigest,
          actualDigest: m.actual,
        })),
      },
    },
  );
}
