/** Strict JSON: the only way untrusted JSON enters cnab-trust (see parse.ts for why not JSON.parse). */
export {
  parseJson,
  setMember,
  JsonFloat,
  lineColumn,
  DEFAULT_MAX_JSON_BYTES,
  DEFAULT_MAX_JSON_DEPTH,
  type JsonParseOptions,
  type JsonValue,
  type JsonObject,
  type JsonPrimitive,
} from './parse.js';
export { normalizeDecimal, sameDecimalValue } from './exact-number.js';
export { formatJsonPath, jsonPointerToPath, type JsonPathSegment } from './path.js';
