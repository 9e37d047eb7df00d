/**
 * Staged changes (threshold and offline signing): new versions of root and/or targets roles that do not yet carry
 * enough signatures. A staged change is a JSON document that travels between machines (`metadata export-staged`,
 * `metadata sign --staged FILE`, `metadata import`); nothing in it is published until every role meets its
 * threshold. Snapshot and timestamp are not staged: they are made at publish time with the online keys.
 */
import type { Metadata, Root, Targets } from '@tufjs/models';
import { CnabTrustError } from '../errors.js';
import { metadataJson, parseAny, type AnyMetadata } from './metadata-files.js';
import { signingBytes } from './signing.js';

export const STAGED_FORMAT = 'cnab-trust/staged-change@1';

/** What one role of a staged change still needs (informative; publish re-checks against the repository). */
export interface StagedRequirement {
  role: string;
  /** Which signatures count: `root` of a new root is checked against the old root's keys and the new root's. */
  against: string;
  keyids: string[];
  threshold: number;
  signed: string[];
}

export interface StagedChange {
  description: string;
  created: string;
  root?: Metadata<Root>;
  targetsRoles: Map<string, Metadata<Targets>>;
  /** Target files the change signs (already stored, content-addressed): name and sha256. */
  targetFiles: { name: string; sha256: string; length: number }[];
  requirements: StagedRequirement[];
}

export function stagedToJson(c: StagedChange): Record<string, unknown> {
  const roles: Record<string, unknown> = {};
  if (c.root !== undefined) roles.root = metadataJson(c.root);
  for (const [name, md] of c.targetsRoles) roles[name] = metadataJson(md);
  return {
    format: STAGED_FORMAT,
    description: c.description,
    created: c.created,
    roles,
    targetFiles: c.targetFiles,
    requirements: c.requirements,
  };
}

export function stagedFromJson(json: unknown, subject: string): StagedChange {
  const o = json as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || o.format !== STAGED_FORMAT || typeof o.roles !== 'object' || o.roles === null) {
    throw new CnabTrustError('E_TUF_STAGED', `not a staged change (${STAGED_FORMAT}): ${subject}`, { subject });
  }
  const change: StagedChange = {
    description: String(o.description ?? ''),
    created: String(o.created ?? ''),
    targetsRoles: new Map(),
    targetFiles: Array.isArray(o.targetFiles) ? (o.targetFiles as StagedChange['targetFiles']) : [],
    requirements: Array.isArray(o.requirements) ? (o.requirements as StagedRequirement[]) : [],
  };
  for (const [name, mdJson] of Object.entries(o.roles as Record<string, unknown>)) {
    const md = parseAny(mdJson as Record<string, unknown>, `${subject}: ${name}`);
    if (name === 'root' && md.signed.type === 'root') change.root = md as Metadata<Root>;
    else if (name !== 'root' && md.signed.type === 'targets') change.targetsRoles.set(name, md as Metadata<Targets>);
    else throw new CnabTrustError('E_TUF_STAGED', `staged role ${name} has the wrong _type ${md.signed.type}`, { subject });
  }
  return change;
}

export function stagedRoles(c: StagedChange): [string, AnyMetadata][] {
  return [...(c.root ? ([['root', c.root]] as [string, AnyMetadata][]) : []), ...c.targetsRoles];
}

/**
 * Merge the signatures of `other` into `into` for every role whose signed bytes are identical; a role whose
 * content differs is an error (someone signed something else).
 */
export function mergeSignatures(into: StagedChange, other: StagedChange): number {
  let added = 0;
  const mine = new Map(stagedRoles(into));
  for (const [name, md] of stagedRoles(other)) {
    const target = mine.get(name);
    if (target === undefined) {
      throw new CnabTrustError('E_TUF_STAGED', `the imported change has role ${name}, the staged one does not`, { subject: name });
    }
    if (!signingBytes(target).equals(signingBytes(md))) {
      throw new CnabTrustError('E_TUF_STAGED', `the imported ${name} differs from the staged one`, {
        subject: name,
        hint: 'export the staged change again and sign that',
      });
    }
    for (const [keyid, sig] of Object.entries(md.signatures)) {
      if (target.signatures[keyid]?.sig !== sig.sig) added++;
      target.signatures[keyid] = sig;
    }
  }
  return added;
}
