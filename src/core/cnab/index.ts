/** CNAB bundles: model, strict parsing, schema validation, canonical bytes and digest, image iteration. */
export type {
  Bundle,
  InvocationImage,
  ComponentImage,
  Maintainer,
  Parameter,
  Credential,
  Output,
  Action,
} from './model.js';
export {
  parseBundle,
  parseBundleDocument,
  dropTopLevelNulls,
  DEFAULT_MAX_BUNDLE_BYTES,
  DEFAULT_MAX_BUNDLE_DEPTH,
  type ParseBundleOptions,
} from './parse.js';
export { validateBundle, bundleSchemaViolations, BUNDLE_SCHEMA_ID, DEFINITIONS_SCHEMA_ID, type SchemaViolation } from './validate.js';
export {
  canonicalBundle,
  canonicalizeBundleBytes,
  type CanonicalBundle,
  type CanonicalizedInput,
} from './canonical.js';
export { sha256Digest } from '../crypto/sha256.js';
export { bundleImages, bundleImageReferences, type BundleImage, type BundleImageKind } from './images.js';
export { cnabGoMarshal, cnabGoStoredForm, type CnabGoChange, type CnabGoStoredForm } from './cnab-go-marshal.js';
