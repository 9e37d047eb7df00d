/**
 * Bytes <-> @tufjs/models metadata for the repository: parse with a role-type check, serialize for writing.
 */
import { Metadata, MetadataKind, type Root, type Snapshot, type Targets, type Timestamp } from '@tufjs/models';
import { CnabTrustError } from '../errors.js';

export type AnyMetadata = Metadata<Root> | Metadata<Targets> | Metadata<Snapshot> | Metadata<Timestamp>;

/** The serialized file: compact JSON (repositories with 100k targets are read and written per sign). */
export function metadataBytes(md: AnyMetadata): Buffer {
  return Buffer.from(JSON.stringify(md.toJSON()), 'utf8');
}

function parseJson(bytes: Uint8Array, subject: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
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
    return Metadata.fromJSON(kind as MetadataKind.Root, json as never) as unknown as T;
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
