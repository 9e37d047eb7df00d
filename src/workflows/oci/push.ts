/**
 * `push`: a bundle into a registry repository or an OCI layout directory in the CNAB 200/201 layout
 * (cnab-to-oci's): every image is copied into the bundle's repository (mounted within one registry), then the
 * bundle config blob and manifest, then the index, tagged last, so a tag never points at something incomplete.
 *
 * Images must be pinned: without `fixup`, each image is resolved where it lives and any difference from its
 * `contentDigest` is an error naming the image and both digests. With `fixup`, the resolved digest, size and media
 * type are written into the bundle (so it must be signed afterwards; refused when the bundle is already signed in
 * the given metadata repository).
 */
import { readFileBounded, writeFileAtomic } from '../../adapters/fs/index.js';
import { CopySession, type CopyProgress } from '../../adapters/oci/copy.js';
import { LayoutStore } from '../../adapters/oci/layout-store.js';
import { openLocation, pinnedReference } from '../../adapters/oci/open-store.js';
import type { OciStore } from '../../adapters/oci/store.js';
import { bundleImages, canonicalBundle, canonicalizeBundleBytes, type Bundle, type BundleImage } from '../../core/cnab/index.js';
import { CnabTrustError } from '../../core/errors.js';
import { bundleConfigManifest, bundleIndexBytes, type ResolvedBundleImage } from '../../core/oci/cnab-index.js';
import type { Descriptor } from '../../core/oci/descriptor.js';
import { OCI_INDEX } from '../../core/oci/media-types.js';
import { parseImageLocation } from '../../core/reference/location.js';
import { parseReference, DEFAULT_TAG } from '../../core/reference/reference.js';
import { quoteUntrusted } from '../../core/reference/digest.js';
import { imageLabel, requirePinned } from '../../core/relocation/check.js';
import type { RegistryClient } from '../../adapters/oci/registry-store.js';
import { registryClient, type RegistryAccess } from '../../adapters/oci/registry-access.js';

export interface PushOptions extends RegistryAccess {
  /** Resolve each image and write digest, size and media type into the bundle before pushing. */
  fixup?: boolean;
  /** Take the images from this OCI layout (`oci:<dir>`) instead of their registries (airgap, the embedded demo). */
  images?: string;
  /** The bundle is already signed there (a TUF metadata directory): `fixup` is refused. */
  metadata?: string;
  /** Says whether the bundle's canonical digest is signed (default: scan `metadata`). */
  isSigned?: (bundleDigest: string) => Promise<boolean>;
  onProgress?: (p: CopyProgress) => void;
  /**
   * Tag the index (default true). False: push everything by digest only, so nothing is visible under the tag yet
   * (`pipeline` tags with `tagPushed` once the release is verified and published).
   */
  tag?: boolean;
}

export interface PushedImage {
  image: string;
  reference: string;
  digest: string;
  size: number;
  mediaType: string;
  /** With fixup: what the bundle said before (undefined: nothing). */
  previousDigest?: string;
}

export interface PushReport {
  reference: string;
  /** Digest of the index: `<repository>@<digest>` pulls exactly this bundle. */
  digest: string;
  bundle: { name: string; version: string; digest: string; size: number; file: string };
  fixup: boolean;
  /** The bundle changed (fixup): it must be signed now, not before. */
  mustSign: boolean;
  images: PushedImage[];
}

interface ImageSource {
  store: OciStore;
  /** Tag, digest or layout ref name to resolve. */
  candidates: string[];
}

function sourceOf(image: BundleImage, client: RegistryClient, layout: LayoutStore | undefined): ImageSource {
  const subject = `${imageLabel(image)} (${image.reference})`;
  const ref = parseReference(image.reference, { subject });
  if (layout !== undefined) {
    // an OCI layout may name the image by full reference (image-spec ref.name), by tag, or hold it by digest
    const candidates = [image.reference, ref.toString(), ...(ref.tag !== undefined ? [ref.tag] : []), ...(ref.digest ? [ref.digest] : [])];
    if (image.contentDigest !== undefined) candidates.push(image.contentDigest);
    return { store: layout, candidates: [...new Set(candidates)] };
  }
  return { store: client.repository(ref.registry, ref.repository), candidates: [ref.digest ?? ref.tag ?? DEFAULT_TAG] };
}

async function resolveImage(image: BundleImage, source: ImageSource): Promise<Descriptor> {
  for (const c of source.candidates) {
    const d = await source.store.resolve(c);
    if (d !== undefined) return d;
  }
  throw new CnabTrustError('E_OCI_NOT_FOUND', `${imageLabel(image)} ${quoteUntrusted(image.reference)} not found in ${source.store.name}`, {
    subject: image.reference,
  });
}

export async function push(bundleFile: string, target: string, options: PushOptions = {}): Promise<PushReport> {
  const client = registryClient(options);
  const input = canonicalizeBundleBytes(await readFileBounded(bundleFile, { what: 'bundle' }), { source: bundleFile });
  let bundle: Bundle = input.bundle;
  const destination = openLocation(target, client);
  const tag = destination.tag ?? (destination.digest === undefined ? DEFAULT_TAG : undefined);
  if (destination.digest !== undefined) {
    throw new CnabTrustError('E_USAGE', `push needs a tag, not a digest: ${target}`, { subject: target, hint: 'the digest of a bundle is known only after the push' });
  }
  const fixup = options.fixup === true;
  if (fixup && (options.metadata !== undefined || options.isSigned !== undefined)) {
    const isSigned = options.isSigned ?? (async (d: string) => (await import('../../adapters/tuf-repo/signed-check.js')).bundleSignedIn(options.metadata!, d));
    if (await isSigned(input.digest)) {
      throw new CnabTrustError('E_FIXUP_SIGNED', `${bundleFile} (${input.digest}) is already signed; --fixup would change it and void the signature`, {
        subject: bundleFile,
        hint: 'push without --fixup (the images must then match the signed contentDigest), or fix up and sign a new version',
      });
    }
  }
  let layout: LayoutStore | undefined;
  if (options.images !== undefined) {
    const loc = parseImageLocation(options.images, { subject: '--images' });
    if (loc.kind !== 'oci-layout') throw new CnabTrustError('E_USAGE', '--images must be an OCI layout (oci:<dir>)', { subject: options.images });
    layout = new LayoutStore(loc.path);
  }

  // 1. resolve every image where it lives; compare with (or, with fixup, write) its contentDigest
  const images = bundleImages(bundle);
  const sources = images.map((img) => sourceOf(img, client, layout));
  const resolved = await Promise.all(images.map((img, i) => resolveImage(img, sources[i]!)));
  const report: PushedImage[] = [];
  if (fixup) {
    bundle = structuredClone(bundle);
    images.forEach((img, i) => {
      const d = resolved[i]!;
      const entry = img.kind === 'invocation' ? bundle.invocationImages[img.index!]! : bundle.images![img.component!]!;
      entry.contentDigest = d.digest;
      entry.size = d.size;
      entry.mediaType = d.mediaType;
      report.push({ image: imageLabel(img), reference: img.reference, digest: d.digest, size: d.size, mediaType: d.mediaType, ...(img.contentDigest === undefined ? {} : { previousDigest: img.contentDigest }) });
    });
  } else {
    const mismatches: string[] = [];
    requirePinned(images, 'push --fixup resolves and writes it (then sign the bundle)');
    images.forEach((img, i) => {
      const d = resolved[i]!;
      if (img.contentDigest !== d.digest) {
        mismatches.push(`${imageLabel(img)} ${quoteUntrusted(img.reference)}: bundle contentDigest ${img.contentDigest}, ${sources[i]!.store.name} has ${d.digest}`);
      }
      report.push({ image: imageLabel(img), reference: img.reference, digest: d.digest, size: d.size, mediaType: d.mediaType });
    });
    if (mismatches.length > 0) {
      throw new CnabTrustError('E_OCI_DIGEST_MISMATCH', `the registry does not hold the images the bundle names: ${mismatches.join('; ')}`, {
        subject: images[0]!.reference,
        hint: 'push the right images, or use --fixup on an unsigned bundle',
        details: { mismatches },
      });
    }
  }
  const canonical = fixup ? canonicalBundle(bundle) : { bytes: input.bytes, digest: input.digest, length: input.length };
  if (fixup) await writeFileAtomic(bundleFile, canonical.bytes);

  // 2. copy every image into the bundle's repository (children before parents; mounts within a registry)
  const sessions = new Map<OciStore, CopySession>();
  await Promise.all(
    images.map((_img, i) => {
      const src = sources[i]!.store;
      let s = sessions.get(src);
      if (s === undefined) {
        s = new CopySession(src, destination.store, {
          ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
          ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
        });
        sessions.set(src, s);
      }
      return s.copyManifest(resolved[i]!, images[i]!.reference);
    }),
  );

  // 3. bundle config blob and manifest, then the index, tagged last
  const config = bundleConfigManifest(canonical.bytes);
  if (!(await destination.store.hasBlob(config.configDescriptor))) await destination.store.pushBlob(config.configDescriptor, config.configBlob);
  await destination.store.pushManifest(config.manifestBytes, config.manifestDescriptor.mediaType, config.manifestDescriptor.digest);
  const finalImages = bundleImages(bundle);
  const withDescriptors: ResolvedBundleImage[] = finalImages.map((image, i) => ({ image, descriptor: resolved[i]! }));
  const indexBytes = bundleIndexBytes(bundle, config, withDescriptors);
  const untagged = options.tag === false;
  const index = await destination.store.pushManifest(indexBytes, OCI_INDEX, untagged ? undefined : tag);
  return {
    reference: untagged ? pinnedReference(destination.store, index.digest) : target,
    digest: index.digest,
    bundle: { name: bundle.name, version: bundle.version, digest: canonical.digest, size: canonical.length, file: bundleFile },
    fixup,
    mustSign: fixup,
    images: report,
  };
}

/** Tag a bundle index pushed by digest (`push` with `tag: false`): the same bytes, now under the tag of `target`. */
export async function tagPushed(target: string, digest: string, access: RegistryAccess = {}): Promise<void> {
  const destination = openLocation(target, registryClient(access));
  const tag = destination.tag ?? DEFAULT_TAG;
  const { bytes } = await destination.store.fetchManifest(digest); // re-hashed against the digest by the store
  await destination.store.pushManifest(bytes, OCI_INDEX, tag);
}
