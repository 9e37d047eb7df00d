/**
 * Bytes <-> @tufjs/models metadata for the repository: parse with a role-type check, serialize for writing.
 */
import { Metadata, MetadataKind, Snapshot, TargetFile, Targets, MetaFile, type Root, type Timestamp } from '@tufjs/models';
import { CnabTrustError } from '../errors.js';
import { parseJson as parseStrictJson } from '../json/index.js';

export type AnyMetadata = Metadata<Root> | Metadata<Targets> | Metadata<Snapshot> | Metadata<Timestamp>;

/**
 * The JSON of `signed`, built in linear time. @tufjs/models 4.1 builds the `targets` map of Targets and the `meta`
 * map of Snapshot with a reduce that copies the accumulator at every entry (quadratic: 10,000 targets take ~50 s to
 * serialize and ~2 min to parse), so for these two maps we do it ourselves; the other members are the library's.
 */
export function signedJson(md: AnyMetadata): Record<string, unknown> {
  const s = md.signed;
  if (s instanceof Targets) {
    const targets: Record<string, unknown> = {};
    for (const [name, t] of Object.entries(s.targets)) targets[name] = t.toJSON();
    return {
      _type: s.type,
      spec_version: s.specVersion,
      version: s.version,
      expires: s.expires,
      targets,
      ...s.unrecognizedFields,
      ...(s.delegations === undefined ? {} : { delegations: s.delegations.toJSON() }),
    };
  }
  if (s instanceof Snapshot) {
    const meta: Record<string, unknown> = {};
    for (const [name, m] of Object.entries(s.meta)) meta[name] = m.toJSON();
    return { _type: s.type, spec_version: s.specVersion, version: s.version, expires: s.expires, meta, ...s.unrecognizedFields };
  }
  return s.toJSON();
}

/** The whole metadata document (`signatures` + `signed`). */
export function metadataJson(md: AnyMetadata): Record<string, unknown> {
  return { signatures: Object.values(md.signatures).map((sig) => sig.toJSON()), signed: signedJson(md), ...md.unrecognizedFields };
}

/** The serialized file: compact JSON (repositories with 100k targets are read and written per sign). */
export function metadataBytes(md: AnyMetadata): Buffer {
  return Buffer.from(JSON.stringify(metadataJson(md)), 'utf8');
}

function parseJson(bytes: Uint8Array, subject: string): Record<string, unknown> {
  let json: unknown;
  try {
    // Strict JSON (core/json): duplicate keys refused, so every reader sees the same metadata.
    json = parseStrictJson(bytes, { source: subject, maxBytes: Number.MAX_SAFE_INTEGER }); // callers bound the read
  } catch (e) {
    if (e instanceof CnabTrustError && e.code !== 'E_JSON_PARSE') throw e;
    throw new CnabTrustError('E_JSON_PARSE', `not JSON: ${subject}`, { subject, cause: e });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CnabTrustError('E_TUF_INVALID', `not TUF metadata: ${subject}`, { subject });
  }
  return json as Record<string, unknown>;
}

function fromJson<T extends AnyMetadata>(kind: MetadataKind, bytes: Uint8Array, subject: string): T {
  const json = parseJson(bytes, subject);
  try {
    // Linear-time path for the two big maps (see signedJson): the library parses everything else, then we fill them.
    const signed = json.signed as Record<string, unknown> | undefined;
    const big = kind === MetadataKind.Targets ? 'targets' : kind === MetadataKind.Snapshot ? 'meta' : undefined;
    const entries = big !== undefined && signed !== null && typeof signed === 'object' ? signed[big] : undefined;
    if (big === undefined || entries === null || typeof entries !== 'object' || Array.isArray(entries)) {
      return Metadata.fromJSON(kind as MetadataKind.Root, json as never) as unknown as T;
    }
    const md = Metadata.fromJSON(kind as MetadataKind.Root, { ...json, signed: { ...signed, [big]: {} } } as never) as unknown as AnyMetadata;
    if (md.signed instanceof Targets) {
      const into = md.signed.targets;
      for (const [name, t] of Object.entries(entries as Record<string, unknown>)) into[name] = TargetFile.fromJSON(name, t as never);
    } else if (md.signed instanceof Snapshot) {
      const into = md.signed.meta;
      for (const [name, m] of Object.entries(entries as Record<string, unknown>)) into[name] = MetaFile.fromJSON(m as never);
    }
    return md as T;
  } catch (e) {
    throw new CnabTrustError('E_TUF_INVALID', `invalid ${kind} metadata: ${subject}: ${(e as Error).message}`, {
      subject,
      cause: e,
    });
  }
}

export const parseRoot = (b: Uint8Array, subject = 'root'): Metadata<Root> => fromJson(MetadataKind.Root, b, subject);
export const parseTargets = (b: Uint8Array, subject = 'targets'): Metadata<Targets> =>
  fromJson(MetadataKind.Targets, b, subject);
export const parseSnapshot = (b: Uint8Array, subject = 'snapshot'): Metadata<Snapshot> =>
  fromJson(MetadataKind.Snapshot, b, subject);
export const parseTimestamp = (b: Uint8Array, subject = 'timestamp'): Metadata<Timestamp> =>
  fromJson(MetadataKind.Timestamp, b, subject);

/** Parse by the `_type` the file declares (for staged files holding any role). */
export function parseAny(json: Record<string, unknown>, subject: string): AnyMetadata {
  const type = (json.signed as Record<string, unknown> | undefined)?._type;
  const bytes = Buffer.from(JSON.stringify(json));
  switch (type) {
    case 'root':
      return parseRoot(bytes, subject);
    case 'targets':
      return parseTargets(bytes, subject);
    case 'snapshot':
      return parseSnapshot(bytes, subject);
    case 'timestamp':
      return parseTimestamp(bytes, subject);
    default:
      throw new CnabTrustError('E_TUF_INVALID', `unknown metadata _type ${String(type)}: ${subject}`, { subject });
  }
}
