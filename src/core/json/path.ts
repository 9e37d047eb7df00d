/**
 * JSON paths in error messages, in the JSONPath notation users know: `$.invocationImages[0].image`,
 * `$.custom["com.example.foo"]`. Keys that are not plain identifiers are bracket-quoted.
 */
export type JsonPathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function formatJsonPath(segments: readonly JsonPathSegment[]): string {
  let out = '$';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/**
 * Convert a JSON Pointer (RFC 6901, as ajv reports `instancePath`) to the JSONPath notation above.
 * Segments made only of digits are shown as array indexes.
 */
export function jsonPointerToPath(pointer: string): string {
  if (pointer === '') return '$';
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s): JsonPathSegment => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
  return formatJsonPath(segments);
}
