/**
 * Schema validation of a bundle descriptor (CNAB 101) with ajv against the CNAB specification's
 * `bundle.schema.json`, as published in cnabio/cnab-spec at commit 5771c874bedce48f5762a40becc984d55116b8b7
 * (2021-09-15, the head of main; the schema last changed in 307cd58, PR #414 "Allow numbers again").
 * That schema checks each entry of `definitions` against the JSON Schema draft-07 meta-schema
 * (`http://json-schema.org/draft-07/schema#`): number parameters (`"type": "number"`, `"maximum": 5.5`) are valid.
 * The older cnab.io `definitions.schema.json` (integers only, PR #257) is no longer the spec's and is not used.
 *
 * Checks we apply on purpose beyond that schema (each is named where it is made):
 *  - STRICT_JSON (core/json, cnab/parse.ts): duplicate keys, a BOM, lone surrogates, size and depth bounds.
 *  - EXACT_NUMBERS (core/json/exact-number.ts): a number whose canonical (RFC 8785) text would be another number
 *    (`9007199254740993`, `1e-400`) is refused (E_JSON_NUMBER_PRECISION), never rounded.
 *  - DEFINITION_FORMATS (here): each definition is also checked against the same draft-07 meta-schema with its
 *    `format` keywords asserted: `pattern` (and `patternProperties` keys' schemas' `pattern`) must be a regular
 *    expression, `$schema` a URI, `$id` and `$ref` URI references. ajv treats `format` in its built-in meta-schemas
 *    as an annotation, so the bundle schema's `$ref` alone lets `"pattern": "("` through, which no runtime can use.
 *
 * Errors name the JSON path of the offending value and the schema rule it broke (E_BUNDLE_SCHEMA).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { CnabTrustError } from '../errors.js';
import { formatJsonPath, jsonPointerToPath } from '../json/index.js';
import type { Bundle } from './model.js';
import * as generated from './schema/bundle-validator.generated.js';

export const BUNDLE_SCHEMA_ID = 'https://cnab.io/v1/bundle.schema.json';
/** JSON Schema draft-07's meta-schema with its `format`s asserted (DEFINITION_FORMATS): a local id, not the spec's. */
export const DEFINITIONS_SCHEMA_ID = 'urn:cnab-trust:draft-07-schema-with-formats';
/** The id `bundle.schema.json` uses for `definitions` entries. */
export const DRAFT_07_SCHEMA_ID = 'http://json-schema.org/draft-07/schema#';

/** One schema violation: where, which rule, and what it says. */
export interface SchemaViolation {
  /** JSONPath of the offending value, e.g. `$.invocationImages[0].image`. */
  path: string;
  /** The schema rule broken: keyword and its location in the schema, e.g. `required at #/required`. */
  rule: string;
  message: string;
}

export interface Validators {
  bundle: ValidateFunction;
  definition: ValidateFunction;
}

let validators: Validators | undefined;

/**
 * The ajv options the schemas are compiled with, ahead of time (`schema/bundle-validator.generated.ts`).
 * strict: false because the published schemas use keywords ajv's strict mode rejects (e.g. `additionalProperties`
 * beside `type: array` in `requiredExtensions`); they are the spec, not ours to change.
 */
export const AJV_OPTIONS = { allErrors: true, strict: false, validateFormats: true } as const;

/**
 * The validators: ajv's standalone code generated ahead of time from the schemas with `AJV_OPTIONS` (compiling
 * them at run time took ~200 ms per process, most of `cnab-trust verify`'s start-up). The generator and a test that
 * the generated module matches the schemas are in `test/helpers/bundle-validator-source.ts`.
 */
export function getValidators(): Validators {
  validators ??= { bundle: generated.bundle as unknown as ValidateFunction, definition: generated.definition as unknown as ValidateFunction };
  return validators;
}

function violation(e: ErrorObject, prefix: readonly (string | number)[] = []): SchemaViolation {
  let path = jsonPointerToPath(e.instancePath);
  if (prefix.length > 0) path = formatJsonPath(prefix) + path.slice(1);
  let message = e.message ?? 'is invalid';
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required' && typeof params['missingProperty'] === 'string') {
    path = appendKey(path, params['missingProperty']);
    message = 'is required but missing';
  } else if (e.keyword === 'additionalProperties' && typeof params['additionalProperty'] === 'string') {
    path = appendKey(path, params['additionalProperty']);
    message = 'is not allowed here (no such member in the schema)';
  } else if (e.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
    message = `must be one of ${params['allowedValues'].map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return { path, rule: `${e.keyword} at ${e.schemaPath}`, message };
}

function appendKey(path: string, key: string): string {
  return path + formatJsonPath([key]).slice(1);
}

/** Every schema violation of `value` as a bundle (empty when valid). */
export function bundleSchemaViolations(value: unknown): SchemaViolation[] {
  const { bundle, definition } = getValidators();
  const out: SchemaViolation[] = [];
  if (!bundle(value)) out.push(...(bundle.errors ?? []).map((e) => violation(e)));
  // DEFINITION_FORMATS: each definition against draft-07 with formats asserted.
  const defs = (value as { definitions?: unknown } | null)?.definitions;
  if (defs !== null && typeof defs === 'object' && !Array.isArray(defs)) {
    for (const [name, schema] of Object.entries(defs as Record<string, unknown>)) {
      if (!definition(schema)) out.push(...(definition.errors ?? []).map((e) => violation(e, ['definitions', name])));
    }
  }
  return out;
}

/**
 * Validate `value` against the CNAB bundle schema; throws E_BUNDLE_SCHEMA naming the first violation's path and
 * rule (all violations are in `details.violations`).
 */
export function validateBundle(value: unknown, source = 'bundle.json'): asserts value is Bundle {
  const violations = bundleSchemaViolations(value);
  if (violations.length === 0) return;
  const first = violations[0]!;
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
  throw new CnabTrustError(
    'E_BUNDLE_SCHEMA',
    `${source} is not a valid CNAB bundle: ${first.path} ${first.message} [rule ${first.rule}]${more}`,
    {
      subject: source,
      hint: 'see CNAB Core 1.0 section 101 (bundle.json) for the members a bundle must have',
      details: { path: first.path, rule: first.rule, violations },
    },
  );
}
