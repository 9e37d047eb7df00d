/**
 * in-toto Attestation Framework v1: the Statement and the ResourceDescriptor
 * (https://github.com/in-toto/attestation/tree/main/spec/v1). No npm package carries these types, so they are
 * written here from the specification. A Statement travels as the payload of a DSSE envelope whose
 * payloadType is `application/vnd.in-toto+json`.
 */
import { CnabTrustError } from '../../errors.js';

export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** A digest set: algorithm name -> lowercase hex (or the algorithm's own encoding). */
export type DigestSet = Record<string, string>;

/** ResourceDescriptor v1: names a software artifact; at least one of uri, digest, content must be set. */
export interface ResourceDescriptor {
  name?: string;
  uri?: string;
  digest?: DigestSet;
  /** base64 of the resource's bytes. */
  content?: string;
  downloadLocation?: string;
  mediaType?: string;
  annotations?: Record<string, unknown>;
}

/** Statement v1: subjects (each with a digest) and one typed predicate about them. */
export interface Statement<P = Record<string, unknown>> {
  _type: typeof STATEMENT_TYPE_V1;
  subject: ResourceDescriptor[];
  predicateType: string;
  predicate?: P;
}

export function makeStatement<P>(subject: ResourceDescriptor[], predicateType: string, predicate: P): Statement<P> {
  const s = { _type: STATEMENT_TYPE_V1, subject, predicateType, predicate } as Statement<P>;
  checkStatement(s, 'statement');
  return s;
}

function invalid(message: string, subject: string): CnabTrustError {
  return new CnabTrustError('E_ATTESTATION_INVALID', message, { subject });
}

const HEX_ALGORITHMS = new Set(['sha256', 'sha224', 'sha384', 'sha512', 'sha512_224', 'sha512_256', 'sha3_224', 'sha3_256', 'sha3_384', 'sha3_512', 'sha1', 'md5', 'gitCommit', 'gitTree', 'gitBlob', 'gitTag']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Check the shape of a ResourceDescriptor (spec v1 field types; a subject must carry a digest). */
export function checkResourceDescriptor(v: unknown, where: string, needDigest: boolean): ResourceDescriptor {
  if (!isObject(v)) throw invalid(`${where} is not an object`, where);
  for (const k of ['name', 'uri', 'content', 'downloadLocation', 'mediaType'] as const) {
    if (v[k] !== undefined && typeof v[k] !== 'string') throw invalid(`${where}.${k} is not a string`, where);
  }
  if (v['annotations'] !== undefined && !isObject(v['annotations'])) throw invalid(`${where}.annotations is not an object`, where);
  const digest = v['digest'];
  if (digest !== undefined) {
    if (!isObject(digest)) throw invalid(`${where}.digest is not an object`, where);
    for (const [alg, value] of Object.entries(digest)) {
      if (typeof value !== 'string' || value === '') throw invalid(`${where}.digest.${alg} is not a non-empty string`, where);
      if (HEX_ALGORITHMS.has(alg) && !/^[0-9a-f]+$/.test(value)) throw invalid(`${where}.digest.${alg} is not lowercase hex`, where);
    }
  }
  if (needDigest && (digest === undefined || Object.keys(digest as object).length === 0)) {
    throw invalid(`${where} has no digest (every subject must)`, where);
  }
  if (v['uri'] === undefined && digest === undefined && v['content'] === undefined) {
    throw invalid(`${where} has none of uri, digest, content`, where);
  }
  return v as ResourceDescriptor;
}

/** Check a value is a Statement v1 (as a verifier must before trusting its subjects). */
export function checkStatement(v: unknown, where = 'statement'): Statement {
  if (!isObject(v)) throw invalid(`${where} is not a JSON object`, where);
  if (v['_type'] !== STATEMENT_TYPE_V1) throw invalid(`${where}._type is ${JSON.stringify(v['_type'])}, expected ${STATEMENT_TYPE_V1}`, where);
  const subject = v['subject'];
  if (!Array.isArray(subject) || subject.length === 0) throw invalid(`${where}.subject must be a non-empty list`, where);
  subject.forEach((s, i) => checkResourceDescriptor(s, `${where}.subject[${i}]`, true));
  if (typeof v['predicateType'] !== 'string' || v['predicateType'] === '') throw invalid(`${where}.predicateType must be a non-empty string`, where);
  if (v['predicate'] !== undefined && !isObject(v['predicate'])) throw invalid(`${where}.predicate must be an object`, where);
  return v as unknown as Statement;
}
