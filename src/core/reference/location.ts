/**
 * Where an image or bundle lives: a registry reference, or an OCI image layout directory.
 *
 * Syntax (the skopeo / oras convention):
 *  - `oci:<dir>[:<tag>]` or `oci:<dir>@<digest>`: an OCI image layout directory (`oci-layout`, `index.json`,
 *    `blobs/`). The directory is everything after `oci:` up to the first `:` (so it cannot contain `:`, as in skopeo)
 *    or the last `@`. The tag is matched against the `org.opencontainers.image.ref.name` annotation of `index.json`.
 *    No tag and no digest means: whatever the adapter's default is (the only manifest, or `latest`).
 *  - `docker://<reference>` or a bare reference: a registry reference (see `parseReference`).
 *    A registry host literally named `oci` with a port (`oci:5000/x`) must therefore be written `docker://oci:5000/x`.
 * Pure: paths are not resolved or touched here.
 */
import { CnabTrustError } from '../errors.js';
import { parseDigest, quoteUntrusted } from './digest.js';
import { ImageReference, parseReference, type ReferenceParseOptions } from './reference.js';

export const OCI_LAYOUT_PREFIX = 'oci:';
export const DOCKER_PREFIX = 'docker://';

/** A tag in an OCI layout: docker's tag grammar (what we write and what skopeo/oras accept as a tag). */
const LAYOUT_TAG = /^\w[\w.-]{0,127}$/;

export interface OciLayoutLocation {
  readonly kind: 'oci-layout';
  /** The directory as written (relative paths are relative to the caller's working directory). */
  readonly path: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
  /** The text given, for messages. */
  readonly text: string;
}

export interface RegistryLocation {
  readonly kind: 'registry';
  readonly reference: ImageReference;
  readonly text: string;
}

export type ImageLocation = OciLayoutLocation | RegistryLocation;

function locationError(input: string, what: string, options: ReferenceParseOptions): CnabTrustError {
  return new CnabTrustError('E_REFERENCE_INVALID', `invalid OCI layout reference ${quoteUntrusted(input)}: ${what}`, {
    subject: options.subject ?? input,
    hint: 'an OCI layout reference is oci:<dir>[:<tag>] or oci:<dir>@sha256:<64 hex>',
    details: { reference: input, reason: what },
  });
}

/** Parse `oci:<dir>[:tag|@digest]`, `docker://<ref>` or `<ref>`. */
export function parseImageLocation(input: string, options: ReferenceParseOptions = {}): ImageLocation {
  if (typeof input === 'string' && input.startsWith(OCI_LAYOUT_PREFIX)) return parseOciLayoutLocation(input, options);
  const text = typeof input === 'string' && input.startsWith(DOCKER_PREFIX) ? input.slice(DOCKER_PREFIX.length) : input;
  return { kind: 'registry', reference: parseReference(text, options), text: input };
}

/** Whether a location string names an OCI layout directory (starts with `oci:`). */
export function isOciLayoutLocation(input: string): boolean {
  return input.startsWith(OCI_LAYOUT_PREFIX);
}

function parseOciLayoutLocation(input: string, options: ReferenceParseOptions): OciLayoutLocation {
  const body = input.slice(OCI_LAYOUT_PREFIX.length);
  if (/[\u0000-\u001f\u007f]/.test(body)) throw locationError(input, 'control character in path', options);
  let path = body;
  let tag: string | undefined;
  let digest: string | undefined;
  const atSign = body.lastIndexOf('@');
  if (atSign >= 0 && /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:/.test(body.slice(atSign + 1))) {
    path = body.slice(0, atSign);
    digest = parseDigest(body.slice(atSign + 1), { subject: options.subject ?? input }).toString();
  } else {
    const colon = body.indexOf(':');
    if (colon >= 0) {
      path = body.slice(0, colon);
      tag = body.slice(colon + 1);
      if (!LAYOUT_TAG.test(tag)) throw locationError(input, `tag ${quoteUntrusted(tag)} does not match [\\w][\\w.-]{0,127}`, options);
    }
  }
  if (path.length === 0) throw locationError(input, 'missing directory after "oci:"', options);
  if (path.includes(':')) throw locationError(input, 'the directory cannot contain ":" (and a tag with a digest is not supported here)', options);
  return { kind: 'oci-layout', path, tag, digest, text: input };
}

/** Print a location back in its canonical syntax. */
export function formatImageLocation(location: ImageLocation): string {
  if (location.kind === 'registry') return location.reference.toString();
  return OCI_LAYOUT_PREFIX + location.path + (location.digest !== undefined ? `@${location.digest}` : location.tag !== undefined ? `:${location.tag}` : '');
}
