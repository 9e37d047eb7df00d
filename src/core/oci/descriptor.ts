/**
 * OCI content descriptors (image-spec descriptor.md): what a manifest or index says about the content it names.
 */
import { CnabTrustError } from '../errors.js';
import { assertDigest } from './digest.js';

export interface Platform {
  architecture: string;
  os: string;
  [key: string]: unknown;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
  urls?: string[];
  artifactType?: string;
}

/** Validate the untrusted JSON value of a descriptor (mediaType, digest, size; annotations are strings). */
export function parseDescriptor(value: unknown, subject: string): Descriptor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CnabTrustError('E_OCI_INDEX_INVALID', `${subject}: a descriptor must be an object`, { subject });
  }
  const v = value as Record<string, unknown>;
  if (typeof v.mediaType !== 'string' || v.mediaType.length === 0 || v.mediaType.length > 255) {
    throw new CnabTrustError('E_OCI_MEDIA_TYPE', `${subject}: descriptor without a valid mediaType`, { subject });
  }
  assertDigest(v.digest, subject);
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) {
    throw new CnabTrustError('E_OCI_INDEX_INVALID', `${subject}: descriptor size must be a non-negative integer`, { subject });
  }
  if (v.annotations !== undefined) {
    const a = v.annotations;
    if (typeof a !== 'object' || a === null || Array.isArray(a) || Object.values(a).some((x) => typeof x !== 'string')) {
      throw new CnabTrustError('E_OCI_INDEX_INVALID', `${subject}: annotations must map strings to strings`, { subject });
    }
  }
  return v as unknown as Descriptor;
}
