/**
 * Reading a bundle stored in a registry or an OCI layout (CNAB 200): the index, its CNAB shape, the config
 * manifest and the bundle.json blob, each bounded and re-hashed, then the index checked against the bundle.
 */
import { existsSync } from 'node:fs';
import { DEFAULT_MAX_BUNDLE_BYTES, parseBundle, type Bundle } from '../../core/cnab/index.js';
import { CnabTrustError } from '../../core/errors.js';
import { bundleConfigDescriptor, matchIndexToBundle, readBundleIndex, type BundleIndex, type ResolvedBundleImage } from '../../core/oci/cnab-index.js';
import type { Descriptor } from '../../core/oci/descriptor.js';
import { parseManifest } from '../../core/oci/manifest.js';
import { DEFAULT_TAG } from '../../core/reference/reference.js';
import { openLocation, pinnedReference, type OpenedLocation } from './open-store.js';
import { registryClient, type RegistryAccess } from './registry-access.js';
import type { OciStore } from './store.js';

export interface PulledBundle {
  /** Where it came from. */
  source: OpenedLocation;
  /** Descriptor of the index (the bundle's digest in the registry). */
  index: Descriptor;
  indexBytes: Uint8Array;
  /** The bundle.json bytes exactly as stored (the config blob). */
  bundleBytes: Uint8Array;
  bundle: Bundle;
  /** Every image of the bundle with its descriptor in the index, in bundle order. */
  images: ResolvedBundleImage[];
}

/** A bundle's index as stored, and the descriptor of its bundle.json blob, before the blob is read. */
export interface StoredBundleIndex {
  source: OpenedLocation;
  /** Descriptor of the index (the bundle's digest in the registry). */
  index: Descriptor;
  indexBytes: Uint8Array;
  bundleIndex: BundleIndex;
  /** Descriptor of the bundle.json blob (the config blob of the config manifest). */
  config: Descriptor;
}

/**
 * CNAB 200 pull, first half: the index (size-bounded, re-hashed), its CNAB shape, and the config manifest
 * (verified). The verifier stops here to compare the blob's size with the signed length before reading it.
 */
export async function readStoredBundleIndex(source: OpenedLocation): Promise<StoredBundleIndex> {
  const store = source.store;
  const reference = source.reference ?? DEFAULT_TAG;
  const subject = source.location.text;
  const fetched = await store.fetchManifest(reference);
  const parsed = parseManifest(fetched.bytes, subject, fetched.descriptor.mediaType || undefined);
  if (parsed.kind !== 'index') {
    throw new CnabTrustError('E_OCI_MEDIA_TYPE', `${subject} is an image manifest (${parsed.mediaType}), not a CNAB bundle index`, {
      subject,
      details: { mediaType: parsed.mediaType },
    });
  }
  const bundleIndex = readBundleIndex(parsed, subject);
  const configManifest = await store.fetchManifest(bundleIndex.config.digest);
  const config = parseManifest(configManifest.bytes, `${subject} bundle config manifest`, bundleIndex.config.mediaType);
  if (config.kind !== 'image') {
    throw new CnabTrustError('E_OCI_MEDIA_TYPE', `${subject}: the bundle config entry is not an image manifest`, { subject });
  }
  const mediaType = fetched.descriptor.mediaType || parsed.mediaType;
  return { source, index: { ...fetched.descriptor, mediaType }, indexBytes: fetched.bytes, bundleIndex, config: bundleConfigDescriptor(config, subject) };
}

/** CNAB 200 pull, second half: parse the bundle blob's bytes and check the index against it (components, digests). */
export function matchStoredBundle(stored: StoredBundleIndex, bundleBytes: Uint8Array): PulledBundle {
  const subject = stored.source.location.text;
  const bundle = parseBundle(bundleBytes, { source: `${subject} (bundle config blob)` });
  const images = matchIndexToBundle(stored.bundleIndex, bundle, subject);
  return { source: stored.source, index: stored.index, indexBytes: stored.indexBytes, bundleBytes, bundle, images };
}

/**
 * Read a bundle from a store (CNAB 200 pull): index (size-bounded, re-hashed), its CNAB shape, the config manifest
 * and bundle blob (verified), then the index against the bundle (components present, digests = contentDigest).
 */
export async function readBundleFromStore(source: OpenedLocation): Promise<PulledBundle> {
  const stored = await readStoredBundleIndex(source);
  const bundleBytes = await source.store.fetchBlob(stored.config, DEFAULT_MAX_BUNDLE_BYTES);
  return matchStoredBundle(stored, bundleBytes);
}

/**
 * The bundle stored at a registry reference or `oci:<dir>[:tag]` (CNAB 200): the config blob's bytes exactly as
 * stored (what `verify` fetches and compares with the signed target), parsed strictly and checked against the index.
 */
export async function readStoredBundle(ref: string, access: RegistryAccess = {}): Promise<PulledBundle> {
  const opened = openLocation(ref, registryClient(access));
  if (opened.location.kind === 'oci-layout' && !existsSync(opened.location.path)) {
    throw new CnabTrustError('E_FILE_NOT_FOUND', `no OCI layout directory at ${opened.location.path}`, { subject: ref });
  }
  return readBundleFromStore(opened);
}

/** CNAB 103 mapping of a bundle whose images now live in `store` (pinned by digest). */
export function relocationMappingFor(images: readonly ResolvedBundleImage[], store: OciStore): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const { image, descriptor } of images) mapping[image.reference] = pinnedReference(store, descriptor.digest);
  return mapping;
}
