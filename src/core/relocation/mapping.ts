/**
 * The CNAB 103 relocation mapping: a JSON object `{ "<original image reference>": "<relocated image reference>" }`
 * (schema `relocation-mapping.schema.json`: an object whose values are strings).
 *
 * This module only checks the shape of an already parsed JSON value (duplicate keys, size and depth are the JSON
 * parser's job). Anything but an object of strings is `E_RELOCATION_INVALID` naming the offending key.
 */
import { CnabTrustError } from '../errors.js';
import { quoteUntrusted } from '../reference/digest.js';

/** A relocation mapping: original reference (as written in the bundle) -> relocated reference. Insertion-ordered. */
export type RelocationMapping = ReadonlyMap<string, string>;

export interface RelocationMappingOptions {
  /** Where the mapping came from (a file name), for the error's subject. */
  source?: string;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** CNAB 103: the relocation mapping is a JSON object whose values are strings. */
export function parseRelocationMapping(value: unknown, options: RelocationMappingOptions = {}): RelocationMapping {
  const source = options.source ?? 'relocation mapping';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CnabTrustError('E_RELOCATION_INVALID', `relocation mapping ${source} must be a JSON object of strings, got ${typeName(value)}`, {
      subject: source,
      hint: 'a CNAB 103 relocation mapping looks like {"example/app:1.0": "mirror.local/app:1.0"}',
    });
  }
  const out = new Map<string, string>();
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') {
      throw new CnabTrustError(
        'E_RELOCATION_INVALID',
        `relocation mapping ${source}: the value of key ${quoteUntrusted(key)} must be a string, got ${typeName(v)}`,
        { subject: key, details: { source, key } },
      );
    }
    out.set(key, v);
  }
  return out;
}

/** The mapping as a plain JSON object (for writing a mapping file). */
export function relocationMappingToJson(mapping: RelocationMapping): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of mapping) out[k] = v;
  return out;
}
