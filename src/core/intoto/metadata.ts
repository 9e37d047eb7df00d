/**
 * in-toto 1.0 metadata as the reference implementation 1.3.1 models it: layouts and links inside the
 * `{"signed": ..., "signatures": [{"keyid", "sig"}]}` envelope (hex signatures).
 *
 * The signing bytes are the OLPC canonical JSON of the *model*, not of the raw `signed` object: the model has
 * every field (absent ones take the reference's defaults, e.g. a layout's `readme: ""`), no extra field
 * (unknown members are dropped, as 1.3.1's constructors drop them), and `_type` forced per object. So a
 * layout signed over raw JSON without `readme`, or a link signed over raw JSON with an extra member, does not
 * verify, exactly as with the reference (fixtures `raw-signed-*`).
 *
 * Parsing checks types and formats (E_INTOTO_INVALID, naming the JSON path), rule syntax (E_INTOTO_INVALID),
 * layout key ids (E_KEYID_MISMATCH), and names and paths that would climb out of a directory (E_INTOTO_PATH).
 */
import { CnabTrustError } from '../errors.js';
import { CANONICAL_SAFE, olpcCanonicalBytes } from '../canonical/olpc.js';
import { parseVerificationKeyObject, type VerificationKey } from '../crypto/verification-key.js';
import { parseRule, type ArtifactRule } from './rules.js';
import { checkArtifactPath, checkItemName } from './paths.js';

export type HashDict = Record<string, string>;
export type ArtifactDict = Record<string, HashDict>;

export interface Signature {
  keyid: string;
  /** Hex; empty for a GPG signature. */
  sig: string;
  /**
   * A GPG signature (`in-toto-sign --gpg`, securesystemslib GPG_SIGNATURE_SCHEMA), its members but `keyid` as they
   * were (`other_headers` and `signature` hex, verified with GPG keys: `crypto/gpg-verify.ts`), written back unchanged.
   */
  gpg?: Record<string, unknown>;
}

export interface StepModel {
  _type: 'step';
  name: string;
  expected_materials: string[][];
  expected_products: string[][];
  pubkeys: string[];
  expected_command: unknown[];
  /** An integer; `true`/`false` too, as in 1.3.1 (a Python bool is an int): compare with `Number(threshold)`. */
  threshold: number | boolean;
}

export interface InspectionModel {
  _type: 'inspection';
  name: string;
  expected_materials: string[][];
  expected_products: string[][];
  run: string[];
}

export interface LayoutModel {
  _type: 'layout';
  steps: StepModel[];
  inspect: InspectionModel[];
  keys: Record<string, unknown>;
  expires: string;
  readme: string;
}

export interface LinkModel {
  _type: 'link';
  name: unknown;
  materials: ArtifactDict;
  products: ArtifactDict;
  byproducts: Record<string, unknown>;
  command: unknown[];
  environment: Record<string, unknown>;
}

/** A parsed layout with what verification needs precomputed (keys loaded, rules parsed). */
export interface Layout {
  model: LayoutModel;
  /** By keyid; GPG keys with their subkeys. */
  keys: Map<string, VerificationKey>;
  expiresAt: Date;
  stepRules: Map<string, { materials: ArtifactRule[]; products: ArtifactRule[] }>;
}

export type Signed = { kind: 'layout'; layout: Layout } | { kind: 'link'; link: LinkModel };

export interface Metablock {
  signatures: Signature[];
  signed: Signed;
  /** What the metadata came from (a file name), for messages. */
  source: string;
}

/**
 * securesystemslib 0.26 (what in-toto 1.3.1 validates with) checks its formats with `re.match(pattern + "$")`,
 * and Python's `$` matches at the end or just before a final newline: hex strings (digests, keyids, signatures)
 * and the layout expiry may end in one `\n`. Accepted alike, since verdicts depend on it (such a digest equals
 * no other; such a keyid names no key; such a signature verifies nothing).
 */
const HEX = /^[a-fA-F0-9]+\n?$/;

/** Hex digits, by char code (a table lookup per character: far cheaper than a RegExp call per hash). */
const HEX_DIGIT = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') HEX_DIGIT[c.charCodeAt(0)] = 1;

function isHexDigest(h: unknown): boolean {
  if (typeof h !== 'string' || h.length === 0) return false;
  // a final newline passes securesystemslib's HEX_SCHEMA (see HEX)
  const n = h.charCodeAt(h.length - 1) === 0x0a && h.length > 1 ? h.length - 1 : h.length;
  for (let i = 0; i < n; i++) {
    const c = h.charCodeAt(i);
    if (c >= 128 || HEX_DIGIT[c] === 0) return false;
  }
  return true;
}
/** securesystemslib ISO8601_DATETIME_SCHEMA, a final newline allowed as for HEX. */
const ISO8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z\n?$/;

function invalid(source: string, path: string, what: string): CnabTrustError {
  return new CnabTrustError('E_INTOTO_INVALID', `${source}: ${path} ${what}`, { subject: source, details: { path } });
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, source: string, path: string): Obj {
  if (!isObject(v)) throw invalid(source, path, 'must be an object');
  return v;
}

function stringList(v: unknown, source: string, path: string): string[] {
  if (!Array.isArray(v)) throw invalid(source, path, 'must be a list of strings');
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') throw invalid(source, `${path}[${i}]`, 'must be a string');
  return v as string[];
}

function list(v: unknown, source: string, path: string): unknown[] {
  if (!Array.isArray(v)) throw invalid(source, path, 'must be a list');
  return v;
}

function optional<T>(o: Obj, key: string, fallback: T): unknown {
  return o[key] === undefined ? fallback : o[key];
}

/** Array-index-like keys, which JavaScript enumerates first whatever their order in the file. */
const INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;

/**
 * Check an artifact dictionary `{path: {alg: hexdigest}}`. When the file is plain text (ASCII, no escapes)
 * and paths and algorithms are already in code-point order, the dictionary is marked canonical-safe so the
 * canonical encoder serializes it natively instead of walking 20,000 entries again.
 */
function artifactDict(v: unknown, source: string, path: string, plainText: boolean): ArtifactDict {
  const d = obj(v, source, path);
  const paths = Object.keys(d);
  let ordered = plainText;
  let prev = '';
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i]!;
    const hashes = d[p];
    if (!isObject(hashes)) throw invalid(source, `${path}[${JSON.stringify(p)}]`, 'must be an object of hashes');
    let prevAlg = '';
    let n = 0;
    for (const alg in hashes) {
      const h = hashes[alg];
      if (!isHexDigest(h)) throw invalid(source, `${path}[${JSON.stringify(p)}].${alg}`, 'must be a hex digest');
      if (n++ > 0 && !(prevAlg < alg)) ordered = false;
      prevAlg = alg;
    }
    checkArtifactPath(p, source);
    if (ordered) {
      if (i > 0 && !(prev < p)) ordered = false;
      else if (p.charCodeAt(0) <= 0x39 && INDEX_KEY.test(p)) ordered = false;
      prev = p;
    }
  }
  if (ordered && Object.getPrototypeOf(d) === Object.prototype) CANONICAL_SAFE.add(d);
  return d as ArtifactDict;
}

const isHex = (v: unknown): boolean => typeof v === 'string' && HEX.test(v);

/** securesystemslib GPG_SIGNATURE_SCHEMA: keyid, other_headers and signature in hex, optional short_keyid and info. */
function isGpgSignature(o: Obj): boolean {
  return isHex(o['other_headers']) && isHex(o['signature']) && (o['short_keyid'] === undefined || isHex(o['short_keyid']));
}

/**
 * The envelope's `signatures` as 1.3.1 reads them (ANY_SIGNATURE_SCHEMA): `{keyid, sig}` with hex strings, or a
 * GPG signature (tried first, as Metablock.verify_signature does); extra members ignored.
 */
export function parseSignatures(v: unknown, source: string): Signature[] {
  const list = v === undefined ? [] : v;
  if (!Array.isArray(list)) throw invalid(source, '$.signatures', 'must be a list');
  return list.map((s, i) => {
    const o = obj(s, source, `$.signatures[${i}]`);
    if (!isHex(o['keyid'])) throw invalid(source, `$.signatures[${i}].keyid`, 'must be a hex keyid');
    const keyid = o['keyid'] as string;
    if (isGpgSignature(o)) {
      const { keyid: _keyid, ...gpg } = o;
      void _keyid;
      return { keyid, sig: '', gpg };
    }
    if (!isHex(o['sig'])) throw invalid(source, `$.signatures[${i}].sig`, 'must be a hex signature');
    return { keyid, sig: o['sig'] as string };
  });
}

function rules(v: unknown, source: string, path: string, item: string): { raw: string[][]; parsed: ArtifactRule[] } {
  if (!Array.isArray(v)) throw invalid(source, path, 'must be a list of rules');
  const raw = v.map((r, i) => stringList(r, source, `${path}[${i}]`));
  return { raw, parsed: raw.map((r, i) => parseRule(r, `${source}: ${item} ${path.split('.').pop()}[${i}]`)) };
}

/** The link model of a `signed` object with `_type: "link"`. */
export function parseLinkModel(s: Obj, source: string, plainText = false): LinkModel {
  // 1.3.1 does not check a link's name, and of its command only that it is a list (Link._validate_command)
  const name = optional(s, 'name', null);
  const byproducts = obj(optional(s, 'byproducts', {}), source, '$.signed.byproducts');
  const environment = obj(optional(s, 'environment', {}), source, '$.signed.environment');
  // Members in code-point order, so that the canonical encoder can take its JSON.stringify fast path.
  return {
    _type: 'link',
    byproducts,
    command: list(optional(s, 'command', []), source, '$.signed.command'),
    environment,
    materials: artifactDict(optional(s, 'materials', {}), source, '$.signed.materials', plainText),
    name,
    products: artifactDict(optional(s, 'products', {}), source, '$.signed.products', plainText),
  };
}

function parseExpires(v: unknown, source: string): Date {
  const m = typeof v === 'string' ? ISO8601.exec(v) : null;
  if (m === null) throw invalid(source, '$.signed.expires', 'must be a date like 2030-01-01T00:00:00Z');
  const [, y, mo, d, h, mi, se] = m.map(Number) as number[];
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, se!));
  if (date.getUTCMonth() !== mo! - 1 || date.getUTCDate() !== d! || h! > 23 || mi! > 59 || se! > 59) {
    throw invalid(source, '$.signed.expires', `is not a real date (${String(v)})`);
  }
  return date;
}

/** The layout model of a `signed` object with `_type: "layout"`. */
export function parseLayoutModel(s: Obj, source: string): Layout {
  const readme = optional(s, 'readme', '');
  if (typeof readme !== 'string') throw invalid(source, '$.signed.readme', 'must be a string');
  const expiresAt = parseExpires(s['expires'], source);
  const rawKeys = obj(optional(s, 'keys', {}), source, '$.signed.keys');
  const keys = new Map<string, VerificationKey>();
  for (const [keyid, k] of Object.entries(rawKeys)) {
    const key = parseVerificationKeyObject(k, `${source}: key ${keyid}`);
    if (key.keyid !== keyid) {
      throw new CnabTrustError('E_KEYID_MISMATCH', `${source}: layout key listed as ${keyid} has keyid ${key.keyid}`, {
        subject: `${source}: key ${keyid}`,
        details: { listed: keyid, computed: key.keyid },
      });
    }
    keys.set(keyid, key);
  }
  const names = new Set<string>();
  const stepRules = new Map<string, { materials: ArtifactRule[]; products: ArtifactRule[] }>();
  const item = (v: unknown, path: string, kind: 'step' | 'inspection') => {
    const o = obj(v, source, path);
    const name = o['name'];
    // may be empty, as in 1.3.1 (its links are then `.<keyid[:8]>.link`)
    if (typeof name !== 'string') throw invalid(source, `${path}.name`, 'must be a string');
    checkItemName(name, source);
    if (names.has(name)) throw invalid(source, `${path}.name`, `repeats the name '${name}' (step and inspection names are unique)`);
    names.add(name);
    const materials = rules(optional(o, 'expected_materials', []), source, `${path}.expected_materials`, `${kind} '${name}'`);
    const products = rules(optional(o, 'expected_products', []), source, `${path}.expected_products`, `${kind} '${name}'`);
    stepRules.set(name, { materials: materials.parsed, products: products.parsed });
    return { o, name, materials: materials.raw, products: products.raw };
  };
  const stepsRaw = optional(s, 'steps', []);
  if (!Array.isArray(stepsRaw)) throw invalid(source, '$.signed.steps', 'must be a list');
  const steps: StepModel[] = stepsRaw.map((v, i) => {
    const path = `$.signed.steps[${i}]`;
    const { o, name, materials, products } = item(v, path, 'step');
    const threshold = optional(o, 'threshold', 1);
    const integer = typeof threshold === 'boolean' || (typeof threshold === 'number' && Number.isSafeInteger(threshold));
    if (!integer) throw invalid(source, `${path}.threshold`, 'must be an integer');
    const pubkeys = stringList(optional(o, 'pubkeys', []), source, `${path}.pubkeys`);
    for (const k of pubkeys) if (!HEX.test(k)) throw invalid(source, `${path}.pubkeys`, `has '${k}', not a hex keyid`);
    return {
      _type: 'step',
      expected_command: list(optional(o, 'expected_command', []), source, `${path}.expected_command`), // any values, as 1.3.1
      expected_materials: materials,
      expected_products: products,
      name,
      pubkeys,
      threshold,
    };
  });
  const inspectRaw = optional(s, 'inspect', []);
  if (!Array.isArray(inspectRaw)) throw invalid(source, '$.signed.inspect', 'must be a list');
  const inspect: InspectionModel[] = inspectRaw.map((v, i) => {
    const path = `$.signed.inspect[${i}]`;
    const { o, name, materials, products } = item(v, path, 'inspection');
    return {
      _type: 'inspection',
      expected_materials: materials,
      expected_products: products,
      name,
      run: stringList(optional(o, 'run', []), source, `${path}.run`),
    };
  });
  return {
    model: { _type: 'layout', expires: s['expires'] as string, inspect, keys: rawKeys, readme, steps },
    keys,
    expiresAt,
    stepRules,
  };
}

/**
 * Parse an envelope (already decoded JSON) holding a layout or a link. `plainText`: the file was pure ASCII
 * without escapes (see `decodeMetadata`), which lets large links be canonicalized natively.
 */
export function parseMetablock(value: unknown, source: string, plainText = false): Metablock {
  const top = obj(value, source, '$');
  const signed = obj(top['signed'], source, '$.signed');
  const sigs = parseSignatures(top['signatures'], source);
  const type = signed['_type'];
  if (type === 'link') return { signatures: sigs, signed: { kind: 'link', link: parseLinkModel(signed, source, plainText) }, source };
  if (type === 'layout') return { signatures: sigs, signed: { kind: 'layout', layout: parseLayoutModel(signed, source) }, source };
  throw invalid(source, '$.signed._type', `is ${JSON.stringify(type)}, expected "layout" or "link"`);
}

/** The bytes a layout's or link's signatures cover: canonical JSON of the full model. */
export function signableBytes(signed: Signed): Uint8Array {
  return olpcCanonicalBytes(signed.kind === 'layout' ? signed.layout.model : signed.link);
}
