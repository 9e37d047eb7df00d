/**
 * From untrusted bytes to a validated `Bundle` (CNAB 101):
 *  1. strict JSON (duplicate keys refused anywhere, size and depth bounded; core/json), and every number exactly as
 *     written: a literal whose canonical (RFC 8785) text would be another number is refused, never rounded
 *     (9007199254740993 is not signed as 9007199254740992; cnab-go would round it, reading it into a float64),
 *  2. the document must be an object,
 *  3. top-level members whose value is `null` are dropped, as the Go CNAB library's model does when it
 *     unmarshals and re-marshals a bundle (so `"images": null` and no `images` sign the same bytes),
 *  4. schema validation (validate.ts),
 *  5. the pin rule: an image pinned both by its reference and by contentDigest names one manifest (image-pins.ts).
 */
import { CnabTrustError } from '../errors.js';
import { parseJson, setMember, type JsonObject, type JsonValue } from '../json/index.js';
import { validateBundle } from './validate.js';
import { bundleImages } from './images.js';
import { assertImagePinsAgree } from './image-pins.js';
import type { Bundle } from './model.js';

/** Largest bundle.json accepted: 8 MiB (real bundles are a few KiB; this only stops abuse). */
export const DEFAULT_MAX_BUNDLE_BYTES = 8 * 1024 * 1024;
/** Deepest nesting accepted in a bundle.json (definitions may nest JSON schemas a few levels). */
export const DEFAULT_MAX_BUNDLE_DEPTH = 64;

export interface ParseBundleOptions {
  /** What the bytes are (a file name), for error messages. Default `bundle.json`. */
  source?: string;
  maxBytes?: number;
  maxDepth?: number;
}

/** Drop top-level members whose value is `null` (returns a new object; the input is unchanged). */
export function dropTopLevelNulls(doc: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v !== null) setMember(out, k, v);
  }
  return out;
}

/** Parse and strictly parse JSON bytes as a bundle document, without schema validation. */
export function parseBundleDocument(bytes: Uint8Array | string, options: ParseBundleOptions = {}): JsonObject {
  const source = options.source ?? 'bundle.json';
  const value: JsonValue = parseJson(bytes, {
    source,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BUNDLE_BYTES,
    maxDepth: options.maxDepth ?? DEFAULT_MAX_BUNDLE_DEPTH,
    exactNumbers: true,
  });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new CnabTrustError('E_BUNDLE_SCHEMA', `${source} is not a valid CNAB bundle: $ must be an object, found ${kind} [rule type at #/type]`, {
      subject: source,
      details: { path: '$', rule: 'type at #/type' },
    });
  }
  return dropTopLevelNulls(value as JsonObject);
}

/** Parse bytes into a validated bundle (throws E_JSON_*, E_BUNDLE_SCHEMA or E_IMAGE_PIN_CONFLICT). */
export function parseBundle(bytes: Uint8Array | string, options: ParseBundleOptions = {}): Bundle {
  const doc = parseBundleDocument(bytes, options);
  validateBundle(doc, options.source ?? 'bundle.json');
  assertImagePinsAgree(bundleImages(doc as Bundle), options.source ?? 'bundle.json');
  return doc;
}
