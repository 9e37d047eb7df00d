/**
 * The CNAB bundle descriptor (`bundle.json`, CNAB Core 1.0 section 101) as TypeScript types.
 *
 * The model mirrors the JSON exactly (member names as in the spec); unknown members are kept, since the signed
 * bytes are the canonical form of the whole document and must not lose anything. Optional top-level members
 * that were `null` in the input are absent here (see parse.ts).
 */
import type { JsonObject } from '../json/index.js';

/** CNAB 101 "invocationImages": a bootstrapping image of the bundle. */
export interface InvocationImage {
  /** A resolvable reference to the image (an OCI reference unless `imageType` says otherwise). */
  image: string;
  /** `oci` when absent; `docker` in older bundles. */
  imageType?: string;
  /** Digest of the image's manifest (or index), e.g. `sha256:...`. */
  contentDigest?: string;
  /** Size in bytes of the manifest the digest names. */
  size?: number;
  /** Media type of that manifest. */
  mediaType?: string;
  labels?: Record<string, string>;
  [extra: string]: unknown;
}

/** CNAB 101 "images": a component image used by the application, keyed by component name. */
export interface ComponentImage extends InvocationImage {
  description?: string;
}

export interface Maintainer {
  name: string;
  email?: string;
  url?: string;
  [extra: string]: unknown;
}

/** CNAB 101 "parameters" entry. */
export interface Parameter {
  definition: string;
  destination: { env?: string; path?: string; [extra: string]: unknown };
  description?: string;
  applyTo?: string[];
  required?: boolean;
  [extra: string]: unknown;
}

/** CNAB 101 "credentials" entry. */
export interface Credential {
  description?: string;
  env?: string;
  path?: string;
  applyTo?: string[];
  required?: boolean;
  [extra: string]: unknown;
}

/** CNAB 101 "outputs" entry. */
export interface Output {
  definition: string;
  path: string;
  description?: string;
  applyTo?: string[];
  [extra: string]: unknown;
}

/** CNAB 101 "actions" entry (custom actions). */
export interface Action {
  description?: string;
  title?: string;
  modifies?: boolean;
  stateless?: boolean;
  [extra: string]: unknown;
}

/** A validated CNAB bundle descriptor. */
export interface Bundle {
  schemaVersion: string;
  name: string;
  version: string;
  description?: string;
  keywords?: string[];
  license?: string;
  maintainers?: Maintainer[];
  invocationImages: InvocationImage[];
  images?: Record<string, ComponentImage>;
  actions?: Record<string, Action>;
  parameters?: Record<string, Parameter>;
  credentials?: Record<string, Credential>;
  outputs?: Record<string, Output>;
  /** JSON Schema (draft 7, CNAB subset) documents that parameters and outputs refer to. */
  definitions?: Record<string, JsonObject | boolean>;
  /** Extension data, keyed by reverse-DNS names (e.g. `io.cnab.dependencies`). */
  custom?: JsonObject;
  requiredExtensions?: string[];
  [extra: string]: unknown;
}
