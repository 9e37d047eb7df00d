/**
 * The CNAB 200/201 layout of a bundle in an OCI registry, as cnab-to-oci writes it, and its checks on pull.
 *
 * Push (CNAB 201 as cnab-to-oci implements it):
 *  - the canonical bundle bytes are the config blob (`application/vnd.cnab.config.v1+json`) of an OCI manifest
 *    `{"schemaVersion":2,"config":{...},"layers":null}`;
 *  - an OCI index lists that manifest first (`io.cnab.manifest.type: config`), then the invocation images
 *    (`invocation`), then the component images sorted by component name (`component`, `io.cnab.component.name`);
 *  - index annotations: `io.cnab.runtime_version`, `io.cnab.keywords`, `org.opencontainers.artifactType`,
 *    `org.opencontainers.image.{title,version,description,authors}`.
 * The bytes are laid out as Go's encoding/json marshals cnab-to-oci's structs (member order of the structs, map keys
 * sorted, `<`, `>`, `&`, U+2028, U+2029 escaped), so the same bundle gives the same index digest with both tools.
 *
 * Pull: media types, annotations, every component present in the bundle, and each image descriptor's digest equal
 * to that image's signed `contentDigest` (cnab-to-oci does not check this; we must).
 */
import { CnabTrustError } from '../errors.js';
import { quoteUntrusted } from '../reference/digest.js';
import type { Bundle } from '../cnab/model.js';
import { bundleImages, type BundleImage } from '../cnab/images.js';
import { imageLabel, requirePinned } from '../relocation/check.js';
import type { Descriptor } from './descriptor.js';
import { digestOf } from './digest.js';
import type { ImageIndex, ImageManifest } from './manifest.js';
import {
  BUNDLE_CONFIG_MEDIA_TYPES,
  CNAB_ARTIFACT_TYPE,
  CNAB_CONFIG,
  isManifestMediaType,
  OCI_MANIFEST,
} from './media-types.js';

export const ANNOTATION = {
  manifestType: 'io.cnab.manifest.type',
  componentName: 'io.cnab.component.name',
  runtimeVersion: 'io.cnab.runtime_version',
  keywords: 'io.cnab.keywords',
  artifactType: 'org.opencontainers.artifactType',
  title: 'org.opencontainers.image.title',
  version: 'org.opencontainers.image.version',
  description: 'org.opencontainers.image.description',
  authors: 'org.opencontainers.image.authors',
} as const;

/** Go's encoding/json string escaping (HTML-safe). */
function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function goStringMap(m: Record<string, string>): string {
  const keys = Object.keys(m).sort();
  return `{${keys.map((k) => `${goString(k)}:${goString(m[k]!)}`).join(',')}}`;
}

/** A descriptor as ocispec.Descriptor marshals: mediaType, digest, size, annotations (omitempty). */
function goDescriptor(d: Descriptor): string {
  let s = `{"mediaType":${goString(d.mediaType)},"digest":${goString(d.digest)},"size":${d.size}`;
  if (d.annotations !== undefined && Object.keys(d.annotations).length > 0) s += `,"annotations":${goStringMap(d.annotations)}`;
  return s + '}';
}

export interface BundleConfigManifest {
  /** The config blob: the canonical bundle bytes. */
  configBlob: Uint8Array;
  configDescriptor: Descriptor;
  manifestBytes: Buffer;
  manifestDescriptor: Descriptor;
}

/** The config manifest of a bundle (CNAB 201): canonical bundle bytes as config, `"layers": null`. */
export function bundleConfigManifest(canonicalBundleBytes: Uint8Array): BundleConfigManifest {
  const configDescriptor: Descriptor = { mediaType: CNAB_CONFIG, digest: digestOf(canonicalBundleBytes), size: canonicalBundleBytes.byteLength };
  const manifestBytes = Buffer.from(`{"schemaVersion":2,"config":${goDescriptor(configDescriptor)},"layers":null}`);
  return {
    configBlob: canonicalBundleBytes,
    configDescriptor,
    manifestBytes,
    manifestDescriptor: { mediaType: OCI_MANIFEST, digest: digestOf(manifestBytes), size: manifestBytes.byteLength },
  };
}

/** An image of the bundle with the descriptor of its manifest in the registry. */
export interface ResolvedBundleImage {
  image: BundleImage;
  descriptor: Descriptor;
}

/** Index annotations (cnab-to-oci makeAnnotations). */
export function bundleIndexAnnotations(bundle: Bundle): Record<string, string> {
  const a: Record<string, string> = {
    [ANNOTATION.runtimeVersion]: bundle.schemaVersion,
    [ANNOTATION.title]: bundle.name,
    [ANNOTATION.version]: bundle.version,
    [ANNOTATION.description]: bundle.description ?? '',
    [ANNOTATION.artifactType]: CNAB_ARTIFACT_TYPE,
  };
  if (bundle.maintainers !== undefined) {
    // bundle.Maintainer marshals name, then email and url when not empty
    const items = bundle.maintainers.map((m) => {
      let s = `{"name":${goString(m.name)}`;
      if (typeof m.email === 'string' && m.email.length > 0) s += `,"email":${goString(m.email)}`;
      if (typeof m.url === 'string' && m.url.length > 0) s += `,"url":${goString(m.url)}`;
      return s + '}';
    });
    a[ANNOTATION.authors] = `[${items.join(',')}]`;
  }
  if (bundle.keywords !== undefined) a[ANNOTATION.keywords] = `[${bundle.keywords.map(goString).join(',')}]`;
  return a;
}

/**
 * The index bytes of a bundle (CNAB 200): config manifest first, then invocation images, then components sorted
 * by name (the order `bundleImages` gives). `images` must hold every image of the bundle, in that order.
 */
export function bundleIndexBytes(bundle: Bundle, config: BundleConfigManifest, images: readonly ResolvedBundleImage[]): Buffer {
  const entries: Descriptor[] = [{ ...config.manifestDescriptor, annotations: { [ANNOTATION.manifestType]: 'config' } }];
  for (const { image, descriptor } of images) {
    const annotations: Record<string, string> =
      image.kind === 'invocation'
        ? { [ANNOTATION.manifestType]: 'invocation' }
        : { [ANNOTATION.manifestType]: 'component', [ANNOTATION.componentName]: image.component! };
    entries.push({ mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size, annotations });
  }
  return Buffer.from(
    `{"schemaVersion":2,"manifests":[${entries.map(goDescriptor).join(',')}],"annotations":${goStringMap(bundleIndexAnnotations(bundle))}}`,
  );
}

/** What a pulled CNAB index says, checked for shape (before the bundle is known). */
export interface BundleIndex {
  config: Descriptor;
  invocation: Descriptor[];
  components: { name: string; descriptor: Descriptor }[];
  annotations: Record<string, string>;
}

function indexError(subject: string, message: string, details?: Record<string, unknown>): CnabTrustError {
  return new CnabTrustError('E_OCI_INDEX_INVALID', `${subject}: ${message}`, { subject, ...(details ? { details } : {}) });
}

/** Check a pulled index's CNAB shape: artifact type, one config manifest, typed entries, manifest media types. */
export function readBundleIndex(index: ImageIndex, subject: string): BundleIndex {
  const artifactType = index.annotations[ANNOTATION.artifactType];
  if (artifactType !== undefined && artifactType !== CNAB_ARTIFACT_TYPE) {
    throw new CnabTrustError('E_OCI_MEDIA_TYPE', `${subject} is a ${quoteUntrusted(artifactType)} artifact, not a CNAB bundle`, {
      subject,
      details: { artifactType },
    });
  }
  let config: Descriptor | undefined;
  const invocation: Descriptor[] = [];
  const components: { name: string; descriptor: Descriptor }[] = [];
  const names = new Set<string>();
  index.manifests.forEach((d, i) => {
    const where = `${subject} manifests[${i}]`;
    if (!isManifestMediaType(d.mediaType)) {
      throw new CnabTrustError('E_OCI_MEDIA_TYPE', `${where} has unsupported media type ${quoteUntrusted(d.mediaType)}`, {
        subject: where,
        details: { mediaType: d.mediaType, digest: d.digest },
      });
    }
    const type = d.annotations?.[ANNOTATION.manifestType];
    switch (type) {
      case 'config':
        if (config !== undefined) throw indexError(where, 'a second bundle config manifest');
        config = d;
        break;
      case 'invocation':
        invocation.push(d);
        break;
      case 'component': {
        const name = d.annotations?.[ANNOTATION.componentName];
        if (name === undefined || name.length === 0) throw indexError(where, `component descriptor without ${ANNOTATION.componentName}`);
        if (names.has(name)) throw indexError(where, `component ${quoteUntrusted(name)} listed twice`);
        names.add(name);
        components.push({ name, descriptor: d });
        break;
      }
      default:
        throw indexError(where, `descriptor ${d.digest} has ${type === undefined ? `no ${ANNOTATION.manifestType} annotation` : `unknown type ${quoteUntrusted(type)}`}`);
    }
  });
  if (config === undefined) throw indexError(subject, `no manifest annotated ${ANNOTATION.manifestType}: config (not a CNAB bundle index)`);
  return { config, invocation, components, annotations: index.annotations };
}

/** The config manifest must name a bundle config blob (`application/vnd.cnab.config.v1+json`, the spec's name, or OCI config). */
export function bundleConfigDescriptor(manifest: ImageManifest, subject: string): Descriptor {
  if (!BUNDLE_CONFIG_MEDIA_TYPES.includes(manifest.config.mediaType)) {
    throw new CnabTrustError('E_OCI_MEDIA_TYPE', `${subject}: config media type ${quoteUntrusted(manifest.config.mediaType)} is not a CNAB bundle config`, {
      subject,
      details: { mediaType: manifest.config.mediaType, accepted: BUNDLE_CONFIG_MEDIA_TYPES },
    });
  }
  return manifest.config;
}

/**
 * Match the index against the bundle it carries: every invocation image and component of the bundle has exactly
 * one descriptor, no descriptor names a component absent from the bundle, and each descriptor's digest equals the
 * image's signed `contentDigest`. Returns each bundle image with its descriptor, in bundle order.
 */
export function matchIndexToBundle(index: BundleIndex, bundle: Bundle, subject: string): ResolvedBundleImage[] {
  const images = bundleImages(bundle);
  const byComponent = new Map(index.components.map((c) => [c.name, c.descriptor]));
  const bundleComponents = new Set(images.filter((i) => i.kind === 'component').map((i) => i.component!));
  for (const c of index.components) {
    if (!bundleComponents.has(c.name)) {
      throw indexError(subject, `index names component ${quoteUntrusted(c.name)} that the bundle does not have`, { component: c.name });
    }
  }
  const invocationCount = images.filter((i) => i.kind === 'invocation').length;
  if (index.invocation.length !== invocationCount) {
    throw indexError(subject, `index lists ${index.invocation.length} invocation image(s), the bundle has ${invocationCount}`);
  }
  const out: ResolvedBundleImage[] = [];
  const mismatches: { image: string; reference: string; contentDigest: string; indexDigest: string }[] = [];
  for (const image of images) {
    const descriptor = image.kind === 'invocation' ? index.invocation[image.index!]! : byComponent.get(image.component!);
    if (descriptor === undefined) {
      throw indexError(subject, `index has no descriptor for ${imageLabel(image)} (${quoteUntrusted(image.reference)})`, { image: imageLabel(image) });
    }
    requirePinned([image], 'the pulled bundle does not pin this image: ask its publisher for a pinned, signed bundle');
    if (descriptor.digest !== image.contentDigest) {
      mismatches.push({ image: imageLabel(image), reference: image.reference, contentDigest: image.contentDigest!, indexDigest: descriptor.digest });
    }
    out.push({ image, descriptor });
  }
  if (mismatches.length > 0) {
    const m = mismatches[0]!;
    throw new CnabTrustError(
      'E_OCI_DIGEST_MISMATCH',
      `${subject}: the index gives ${m.image} ${quoteUntrusted(m.reference)} digest ${m.indexDigest} but the bundle's contentDigest is ${m.contentDigest}` +
        (mismatches.length > 1 ? ` (and ${mismatches.length - 1} more)` : ''),
      { subject: m.reference, details: { mismatches } },
    );
  }
  return out;
}
