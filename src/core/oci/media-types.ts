/**
 * Media types of the OCI image spec, the Docker image manifest v2 schema 2, and CNAB 200/201 (cnab-to-oci).
 */

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** Config media type cnab-to-oci writes for the bundle (CNAB 201 as implemented). */
export const CNAB_CONFIG = 'application/vnd.cnab.config.v1+json';
/** Config media type the CNAB 200 specification names; accepted on pull. */
export const CNAB_BUNDLE_CONFIG = 'application/vnd.cnab.bundle.config.v1+json';
/** `org.opencontainers.artifactType` of a CNAB index. */
export const CNAB_ARTIFACT_TYPE = 'application/vnd.cnab.manifest.v1';

/** Config media types a pulled bundle config manifest may carry. */
export const BUNDLE_CONFIG_MEDIA_TYPES: readonly string[] = [CNAB_CONFIG, CNAB_BUNDLE_CONFIG, OCI_CONFIG];

export const INDEX_MEDIA_TYPES: readonly string[] = [OCI_INDEX, DOCKER_MANIFEST_LIST];
export const IMAGE_MANIFEST_MEDIA_TYPES: readonly string[] = [OCI_MANIFEST, DOCKER_MANIFEST];
export const MANIFEST_MEDIA_TYPES: readonly string[] = [...IMAGE_MANIFEST_MEDIA_TYPES, ...INDEX_MEDIA_TYPES];

/**
 * The Accept header of every manifest HEAD/GET: distribution 2.8 answers 404 to a GET of an OCI manifest
 * whose media type is not accepted, so every manifest and index type we handle is listed.
 */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_MEDIA_TYPES.includes(mediaType);
}

export function isImageManifestMediaType(mediaType: string): boolean {
  return IMAGE_MANIFEST_MEDIA_TYPES.includes(mediaType);
}

export function isManifestMediaType(mediaType: string): boolean {
  return MANIFEST_MEDIA_TYPES.includes(mediaType);
}

/** Strip parameters (`; charset=utf-8`) and whitespace from a Content-Type value. */
export function baseMediaType(contentType: string | null | undefined): string | undefined {
  if (contentType === null || contentType === undefined) return undefined;
  const base = contentType.split(';')[0]!.trim().toLowerCase();
  return base.length > 0 ? base : undefined;
}
