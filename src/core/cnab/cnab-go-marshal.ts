/**
 * What a bundle becomes when cnab-go marshals it, and why: Porter and cnab-to-oci store a bundle as
 * `bundle.Bundle.Marshal()` writes it (cnab-go `bundle/bundle.go`: `encoding/json` through the Go structs, then
 * RFC 8785 through cyberphone's `jsoncanonicalizer.Transform`). Those bytes are not always the JCS of the file:
 *
 *  - a member the structs have no field for is dropped (e.g. an action's `title`, a definition's `maxItems`,
 *    `maxProperties` or `x-...` keywords, anything unknown in an image, parameter, credential, output or maintainer);
 *  - a field tagged `omitempty` is dropped when empty (`""`, `false`, `0`, `[]`, `{}`, `null`): e.g.
 *    `"required": false`, `"modifies": false`, `"labels": {}`, `"keywords": []`, `"default": null`, `"const": null`;
 *  - a field without `omitempty` is written when absent: top-level `description` and an image's `description` as
 *    `""`, an image's `imageType` as `""`, an output's `path` as `""`, a parameter's `destination` as `null`;
 *  - a member spelled with other letter case (`"Description"`) is read into the field (Go matches names
 *    case-insensitively) and written with the tag's spelling;
 *  - numbers are read into float64 and written in ECMAScript form by the canonicalizer, so they agree with our JCS
 *    (we refuse those a double cannot keep; cnab-go rounds them); integer fields (`size`, `maxLength`, `minItems`,
 *    `minLength`, `minProperties`) cannot be read from `5.0` or `1e3`, and a boolean where a schema is expected
 *    (`"items"` aside, which is kept as written) cannot be read at all: cnab-go refuses such a bundle;
 *  - `custom` and interface-typed schema members (`default`, `enum`, `const`, `examples`, `items`,
 *    `additionalProperties`, `additionalItems`, `dependencies`, `type`) keep everything below them.
 * Strings are the same: Go's `<`, `>`, `&` escapes are undone by the canonicalizer, which escapes as RFC 8785 does.
 *
 * The model follows cnab-go at commit 6a20ab73a73aec6710def06fea5a81a52572d9ae (bundle/bundle.go, parameters.go,
 * credentials.go, outputs.go, definition/schema.go). Written by hand: it is a description of Go struct tags.
 */
import { Buffer } from 'node:buffer';
import { jcsBytes } from '../canonical/jcs.js';
import { formatJsonPath, setMember, type JsonObject, type JsonPathSegment, type JsonValue } from '../json/index.js';
import { sha256Digest } from '../crypto/sha256.js';
import type { Bundle } from './model.js';

/** How cnab-go changes one member of the file. */
export interface CnabGoChange {
  /** JSONPath of the member, e.g. `$.actions.status.modifies`. */
  path: string;
  change: 'dropped' | 'added' | 'renamed' | 'changed' | 'unreadable';
  /** Why, in terms of cnab-go's Go structs. */
  reason: string;
}

type Kind =
  | { t: 'string' }
  | { t: 'bool' }
  | { t: 'int' } // uint64 or int: an integer literal only
  | { t: 'float' }
  | { t: 'any' }
  | { t: 'slice'; of: Kind }
  | { t: 'map'; of: Kind }
  | { t: 'struct'; struct: string }
  | { t: 'ptr'; to: Kind };

interface Field {
  name: string;
  kind: Kind;
  omitempty: boolean;
}

const S: Kind = { t: 'string' };
const B: Kind = { t: 'bool' };
const ANY: Kind = { t: 'any' };
const f = (name: string, kind: Kind, omitempty = true): Field => ({ name, kind, omitempty });
const ptr = (to: Kind): Kind => ({ t: 'ptr', to });
const struct = (name: string): Kind => ({ t: 'struct', struct: name });
const slice = (of: Kind): Kind => ({ t: 'slice', of });
const map = (of: Kind): Kind => ({ t: 'map', of });
const SCHEMA = ptr(struct('definition.Schema'));

const BASE_IMAGE: Field[] = [
  f('imageType', S, false),
  f('image', S, false),
  f('contentDigest', S),
  f('size', { t: 'int' }),
  f('labels', map(S)),
  f('mediaType', S),
];
const LOCATION: Field[] = [f('path', S), f('env', S)];

/** cnab-go's structs: json tag name, Go type, omitempty (embedded structs flattened as encoding/json does). */
const STRUCTS: Record<string, Field[]> = {
  'bundle.Bundle': [
    f('schemaVersion', S, false),
    f('name', S, false),
    f('version', S, false),
    f('description', S, false),
    f('keywords', slice(S)),
    f('maintainers', slice(struct('bundle.Maintainer'))),
    f('invocationImages', slice(struct('bundle.InvocationImage')), false),
    f('images', map(struct('bundle.Image'))),
    f('actions', map(struct('bundle.Action'))),
    f('parameters', map(struct('bundle.Parameter'))),
    f('credentials', map(struct('bundle.Credential'))),
    f('outputs', map(struct('bundle.Output'))),
    f('definitions', map(SCHEMA)),
    f('license', S),
    f('requiredExtensions', slice(S)),
    f('custom', map(ANY)),
  ],
  'bundle.Maintainer': [f('name', S, false), f('email', S), f('url', S)],
  'bundle.InvocationImage': BASE_IMAGE,
  'bundle.Image': [...BASE_IMAGE, f('description', S, false)],
  'bundle.Action': [f('modifies', B), f('stateless', B), f('description', S)],
  'bundle.Parameter': [f('definition', S, false), f('applyTo', slice(S)), f('description', S), f('destination', ptr(struct('bundle.Location')), false), f('required', B)],
  'bundle.Location': LOCATION,
  'bundle.Credential': [...LOCATION, f('description', S), f('required', B), f('applyTo', slice(S))],
  'bundle.Output': [f('definition', S, false), f('applyTo', slice(S)), f('description', S), f('path', S, false)],
  'definition.Schema': [
    f('$schema', S),
    f('$comment', S),
    f('$id', S),
    f('$ref', S),
    f('additionalItems', ANY),
    f('additionalProperties', ANY),
    f('allOf', slice(SCHEMA)),
    f('anyOf', slice(SCHEMA)),
    f('const', ANY),
    f('contains', SCHEMA),
    f('contentEncoding', S),
    f('contentMediaType', S),
    f('default', ANY),
    f('definitions', map(SCHEMA)),
    f('dependencies', map(ANY)),
    f('description', S),
    f('else', SCHEMA),
    f('enum', slice(ANY)),
    f('examples', slice(ANY)),
    f('exclusiveMaximum', ptr({ t: 'float' })),
    f('exclusiveMinimum', ptr({ t: 'float' })),
    f('format', S),
    f('if', SCHEMA),
    f('items', ANY),
    f('maximum', ptr({ t: 'float' })),
    f('maxLength', ptr({ t: 'int' })),
    f('minItems', ptr({ t: 'int' })),
    f('minLength', ptr({ t: 'int' })),
    f('minProperties', ptr({ t: 'int' })),
    f('minimum', ptr({ t: 'float' })),
    f('multipleOf', ptr({ t: 'float' })),
    f('not', SCHEMA),
    f('oneOf', slice(SCHEMA)),
    f('pattern', ptr(S)), // *Regexp: its source text (compiled with Go's RE2 when read)
    f('patternProperties', map(SCHEMA)),
    f('properties', map(SCHEMA)),
    f('propertyNames', SCHEMA),
    f('readOnly', ptr(B)),
    f('required', slice(S)),
    f('then', SCHEMA),
    f('title', S),
    f('type', ANY),
    f('uniqueItems', ptr(B)),
    f('writeOnly', ptr(B)),
  ],
};

const isObject = (v: JsonValue | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** encoding/json's "empty value" for omitempty: false, 0, "", nil pointer/interface, empty slice or map. */
function isEmpty(kind: Kind, v: JsonValue | undefined): boolean {
  if (v === undefined || v === null) return true;
  switch (kind.t) {
    case 'string':
      return v === '';
    case 'bool':
      return v === false;
    case 'int':
    case 'float':
      return v === 0;
    case 'slice':
      return Array.isArray(v) && v.length === 0;
    case 'map':
      return isObject(v) && Object.keys(v).length === 0;
    default:
      return false; // pointers and interfaces holding a value, structs
  }
}

/** The Go zero value as encoding/json writes it (for a field without omitempty that the file does not have). */
function zero(kind: Kind): JsonValue {
  switch (kind.t) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int':
    case 'float':
      return 0;
    case 'struct':
      return marshalStruct(kind.struct, {}, [], []);
    default:
      return null; // nil slice, map, pointer, interface
  }
}

function goType(kind: Kind): string {
  switch (kind.t) {
    case 'int':
      return 'an integer';
    case 'float':
      return 'a float64';
    case 'struct':
      return kind.struct;
    case 'ptr':
      return goType(kind.to);
    case 'slice':
      return 'an array';
    case 'map':
      return 'an object';
    default:
      return `a ${kind.t}`;
  }
}

class Marshaller {
  readonly changes: CnabGoChange[] = [];

  note(path: JsonPathSegment[], change: CnabGoChange['change'], reason: string): void {
    this.changes.push({ path: formatJsonPath(path), change, reason });
  }

  value(kind: Kind, v: JsonValue, path: JsonPathSegment[]): JsonValue {
    switch (kind.t) {
      case 'any':
        return v; // interface{}: kept below, numbers as float64 (the same ECMAScript text after the canonicalizer)
      case 'string':
      case 'bool':
      case 'float':
        return v;
      case 'int':
        if (typeof v === 'number' && !Number.isInteger(v)) this.note(path, 'unreadable', `cnab-go reads it into an integer field; ${v} is not an integer`);
        return v;
      case 'ptr':
        return v === null ? null : this.value(kind.to, v, path);
      case 'slice':
        if (!Array.isArray(v)) return v;
        return v.map((item, i) => this.value(kind.of, item, [...path, i]));
      case 'map': {
        if (!isObject(v)) return v;
        const out: JsonObject = {};
        for (const [k, item] of Object.entries(v)) setMember(out, k, this.value(kind.of, item, [...path, k]));
        return out;
      }
      case 'struct':
        if (!isObject(v)) {
          this.note(path, 'unreadable', `cnab-go reads it into ${kind.struct}; ${v === null ? 'null' : typeof v} cannot be read into a struct`);
          return v;
        }
        return marshalStruct(kind.struct, v, path, this.changes);
    }
  }
}

/** encoding/json.Marshal of the struct `name` read from `v` (its unknown members gone, omitempty applied). */
function marshalStruct(name: string, v: JsonObject, path: JsonPathSegment[], changes: CnabGoChange[]): JsonObject {
  const m = new Marshaller();
  const fields = STRUCTS[name]!;
  const read = new Map<Field, { key: string; value: JsonValue }>();
  for (const [key, value] of Object.entries(v)) {
    const exact = fields.find((fl) => fl.name === key);
    // encoding/json: an exact match first, else a case-insensitive one; a later member wins.
    const field = exact ?? fields.find((fl) => fl.name.toLowerCase() === key.toLowerCase());
    if (field === undefined) {
      m.note([...path, key], 'dropped', `${name} has no field "${key}": cnab-go drops unknown members`);
      continue;
    }
    if (field.name !== key) m.note([...path, key], 'renamed', `Go matches "${key}" to field "${field.name}" case-insensitively and writes "${field.name}"`);
    read.set(field, { key, value });
  }
  const out: JsonObject = {};
  for (const field of fields) {
    const got = read.get(field);
    if (got === undefined) {
      if (field.omitempty) continue;
      const written = zero(field.kind);
      m.note([...path, field.name], 'added', `${name}.${field.name} has no omitempty: cnab-go writes ${JSON.stringify(written)} when it is absent`);
      setMember(out, field.name, written);
      continue;
    }
    if (field.omitempty && isEmpty(field.kind, got.value)) {
      m.note([...path, got.key], 'dropped', `${name}.${field.name} is omitempty: cnab-go drops ${JSON.stringify(got.value)}`);
      continue;
    }
    if (got.value === null && field.kind.t !== 'any' && field.kind.t !== 'ptr' && field.kind.t !== 'slice' && field.kind.t !== 'map') {
      // null into a Go string, bool or number leaves the zero value
      const written = zero(field.kind);
      m.note([...path, got.key], 'changed', `cnab-go reads null into ${goType(field.kind)} as ${JSON.stringify(written)}`);
      setMember(out, field.name, written);
      continue;
    }
    setMember(out, field.name, m.value(field.kind, got.value, [...path, field.name]));
  }
  changes.push(...m.changes);
  return out;
}

/**
 * The bundle as cnab-go would marshal it (before canonicalization: serialize with JCS to get its bytes), and every
 * member that differs from the file, with the reason. `doc` is a parsed bundle (top-level nulls already dropped).
 */
export function cnabGoMarshal(doc: JsonObject): { value: JsonObject; changes: CnabGoChange[] } {
  const changes: CnabGoChange[] = [];
  const value = marshalStruct('bundle.Bundle', doc, [], changes);
  return { value, changes };
}

/** What cnab-go would store for a bundle, compared with the bundle's canonical bytes. */
export interface CnabGoStoredForm {
  /** Whether cnab-go's bytes are the canonical bytes (then signing the file signs what Porter stores). */
  same: boolean;
  /** `sha256:<hex>` and length of cnab-go's bytes. */
  digest: string;
  length: number;
  changes: CnabGoChange[];
}

export function cnabGoStoredForm(bundle: Bundle, canonicalBytes: Uint8Array): CnabGoStoredForm {
  const { value, changes } = cnabGoMarshal(bundle as unknown as JsonObject);
  const bytes = jcsBytes(value);
  return { same: Buffer.compare(bytes, canonicalBytes) === 0, digest: sha256Digest(bytes), length: bytes.length, changes };
}
