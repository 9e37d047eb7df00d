/**
 * Schema validation of a bundle descriptor (CNAB 101) with ajv against the CNAB specification's
 * `bundle.schema.json`; every entry of `definitions` is also checked against the spec's
 * `definitions.schema.json` (the JSON Schema subset CNAB allows for parameter and output definitions).
 *
 * Errors name the JSON path of the offending value and the schema rule it broke (E_BUNDLE_SCHEMA).
 */
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { CnabTrustError } from '../errors.js';
import { formatJsonPath, jsonPointerToPath } from '../json/index.js';
import bundleSchema from './schema/bundle.schema.js';
import definitionsSchema from './schema/definitions.schema.js';
import type { Bundle } from './model.js';

// ajv and ajv-formats are CommonJS with an ES-style `default` export; under NodeNext the default import is
// the module object, whose `.default` is the class/plugin.
const Ajv = AjvModule.default;
const addFormats = formatsModule.default;

export const BUNDLE_SCHEMA_ID = 'https://cnab.io/v1/bundle.schema.json';
export const DEFINITIONS_SCHEMA_ID = 'https://cnab.io/v1/definitions.schema.json';

/** One schema violation: where, which rule, and what it says. */
export interface SchemaViolation {
  /** JSONPath of the offending value, e.g. `$.invocationImages[0].image`. */
  path: string;
  /** The schema rule broken: keyword and its location in the schema, e.g. `required at #/required`. */
  rule: string;
  message: string;
}

interface Validators {
  bundle: ValidateFunction;
  definition: ValidateFunction;
}

let validators: Validators | undefined;

/** Compile once, on first use (compiling costs a few milliseconds; commands that never validate skip it). */
function getValidators(): Validators {
  if (validators === undefined) {
    // strict: false because the published schemas use keywords ajv's strict mode rejects (e.g.
    // `additionalProperties` beside `type: array` in `requiredExtensions`); they are the spec, not ours to change.
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
    addFormats(ajv);
    ajv.addSchema(definitionsSchema, DEFINITIONS_SCHEMA_ID);
    ajv.addSchema(bundleSchema, BUNDLE_SCHEMA_ID);
    validators = {
      bundle: ajv.getSchema(BUNDLE_SCHEMA_ID)!,
      definition: ajv.getSchema(DEFINITIONS_SCHEMA_ID)!,
    };
  }
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
