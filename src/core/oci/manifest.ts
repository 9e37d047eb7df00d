/**
 * Parsing of manifests and indexes from their raw bytes. The bytes stay the source of truth (they are hashed and
 * pushed as they are, never re-serialized); this parse only finds what they point at.
 */
import { CnabTrustError } from '../errors.js';
import { parseJson } from '../json/index.js';
import { parseDescriptor, type Descriptor } from './descriptor.js';
import { isImageManifestMediaType, isIndexMediaType, OCI_INDEX, OCI_MANIFEST } from './media-types.js';

/** Default bound on a manifest or index (distribution refuses manifests over 4 MiB too). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface ImageManifest {
  kind: 'image';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations: Record<string, string>;
}

export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
  annotations: Record<string, string>;
}

export type Manifest = ImageManifest | ImageIndex;

/** Parse JSON bytes after checking the size bound; `E_OCI_TOO_LARGE`, `E_OCI_INDEX_INVALID` otherwise. */
export function parseManifestJson(bytes: Uint8Array, subject: string, maxBytes = MAX_MANIFEST_BYTES): Record<string, unknown> {
  if (bytes.byteLength > maxBytes) {
    throw new CnabTrustError('E_OCI_TOO_LARGE', `${subject} is ${bytes.byteLength} bytes, over the bound of ${maxBytes}`, {
      subject,
      details: { size: bytes.byteLength, max: maxBytes },
    });
  }
  let value: unknown;
  try {
    // Strict JSON: a manifest with a duplicate key could read differently in another client (core/json).
    value = parseJson(bytes, { source: subject, maxBytes });
  } catch (e) {
    if (e instanceof CnabTrustError && e.code === 'E_JSON_DUPLICATE_KEY') throw e;
    throw new CnabTrustError('E_OCI_INDEX_INVALID', `${subject} is not JSON`, { subject, cause: e });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CnabTrustError('E_OCI_INDEX_INVALID', `${subject} is not a JSON object`, { subject });
  }
  return value as Record<string, unknown>;
}

/**
 * Parse a manifest or index. Its media type is the `mediaType` member when present, else the Content-Type the
 * store reported, else inferred from the shape (`manifests` = OCI index, `config` = OCI manifest), as cnab-to-oci
 * writes indexes and config manifests without `mediaType`. An unknown media type is `E_OCI_MEDIA_TYPE`.
 */
export function parseManifest(bytes: Uint8Array, subject: string, contentType?: string, maxBytes = MAX_MANIFEST_BYTES): Manifest {
  const json = parseManifestJson(bytes, subject, maxBytes);
  if (json.schemaVersion !== 2) {
    throw new CnabTrustError('E_OCI_MEDIA_TYPE', `${subject}: schemaVersion must be 2`, { subject });
  }
  let mediaType: string;
  if (typeof json.mediaType === 'string') mediaType = json.mediaType;
  else if (contentType !== undefined && (isIndexMediaType(contentType) || isImageManifestMediaType(contentType))) mediaType = contentType;
  else if (Array.isArray(json.manifests)) mediaType = OCI_INDEX;
  else if (json.config !== undefined) mediaType = OCI_MANIFEST;
  else mediaType = contentType ?? '(none)';
  const annotations = parseAnnotations(json.annotations, subject);
  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(json.manifests)) {
      throw new CnabTrustError('E_OCI_INDEX_INVALID', `${subject}: an index needs a "manifests" array`, { subject });
    }
    const manifests = json.manifests.map((d, i) => parseDescriptor(d, `${subject} manifests[${i}]`));
    return { kind: 'index', mediaType, manifests, annotations };
  }
  if (isImageManifestMediaType(mediaType)) {
    const config = parseDescriptor(json.config, `${subject} config`);
    const rawLayers = json.layers ?? [];
    if (!Array.isArray(rawLayers)) {
      throw new CnabTrustError('E_OCI_INDEX_INVALID', `${subject}: "layers" must be an array or null`, { subject });
    }
    const layers = rawLayers.map((d, i) => parseDescriptor(d, `${subject} layers[${i}]`));
    return { kind: 'image', mediaType, config, layers, annotations };
  }
  throw new CnabTrustError('E_OCI_MEDIA_TYPE', `${subject} has unknown media type ${JSON.stringify(mediaType.slice(0, 200))}`, {
    subject,
    details: { mediaType },
    hint: 'supported: OCI image manifest/index and Docker manifest v2 schema 2/manifest list',
  });
}

function parseAnnotations(value: unknown, subject: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((x) => typeof x !== 'string')) {
    throw new CnabTrustError('E_OCI_INDEX_INVALID', `${subject}: annotations must map strings to strings`, { subject });
  }
  return value as Record<string, string>;
}

/** The blobs an image manifest names (config first, then layers). */
export function blobsOf(manifest: ImageManifest): Descriptor[] {
  return [manifest.config, ...manifest.layers];
}
