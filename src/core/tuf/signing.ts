/**
 * Signing TUF metadata with the async `Signer`, and counting valid signatures against a role's threshold.
 *
 * @tufjs/models' `Metadata.sign()` takes a synchronous callback, which a key in an HSM, a KMS or on another machine
 * cannot serve. So we compute the signature ourselves over the same bytes (TUF spec 4.1: the OLPC canonical JSON
 * of `signed`) with the async Signer, and attach it as a models `Signature`.
 */
import { olpcCanonicalBytes } from '../canonical/olpc.js';
import { Signature, type Key, type Metadata, type Root, type Targets } from '@tufjs/models';
import type { Signer } from '../crypto/signer.js';
import { signedJson, type AnyMetadata } from './metadata-files.js';
import { verifySslibSignature } from '../crypto/verify-signature.js';
import { fromTufKey } from './keys.js';

/** The bytes every TUF signature covers (TUF spec 4.1). */
export function signingBytes(md: AnyMetadata): Buffer {
  return olpcCanonicalBytes(signedJson(md));
}

/** Add (or replace) one signature per signer on `md`. */
export async function signMetadata(md: AnyMetadata, signers: readonly Signer[]): Promise<void> {
  const bytes = signingBytes(md);
  for (const s of signers) {
    const sig = await s.sign(bytes);
    md.signatures[s.keyid] = new Signature({ keyID: s.keyid, sig: Buffer.from(sig).toString('hex') });
  }
}

/** A role as a delegator describes it: which keys, how many must sign. */
export interface RoleKeys {
  keyids: string[];
  threshold: number;
  keys: Record<string, Key>;
}

/** TUF client workflow 5.3.x/5.4.x/5.5.x/5.6.x: how many distinct authorized keys validly signed `md`. */
export function validSignatureKeyIds(md: AnyMetadata, role: RoleKeys): string[] {
  const ok: string[] = [];
  let bytes: Buffer | undefined;
  for (const id of new Set(role.keyids)) {
    const key = role.keys[id];
    const sig = md.signatures[id];
    if (key === undefined || sig === undefined) continue;
    bytes ??= signingBytes(md);
    // An invalid or malformed signature does not count.
    if (verifySslibSignature(fromTufKey(key), sig.sig, bytes)) ok.push(id);
  }
  return ok;
}

export function meetsThreshold(md: AnyMetadata, role: RoleKeys): boolean {
  return validSignatureKeyIds(md, role).length >= role.threshold;
}

/** The keys and threshold `root` assigns to a top-level role. */
export function topLevelRoleKeys(root: Metadata<Root>, role: string): RoleKeys | undefined {
  const r = root.signed.roles[role];
  if (r === undefined) return undefined;
  return { keyids: [...r.keyIDs], threshold: r.threshold, keys: root.signed.keys };
}

/** The keys and threshold a targets role assigns to one of its delegated roles (paths or succinct bins). */
export function delegatedRoleKeys(parent: Metadata<Targets>, role: string): RoleKeys | undefined {
  const d = parent.signed.delegations;
  if (d === undefined) return undefined;
  const r = d.roles?.[role] ?? (d.succinctRoles?.isDelegatedRole(role) ? d.succinctRoles : undefined);
  if (r === undefined) return undefined;
  return { keyids: [...r.keyIDs], threshold: r.threshold, keys: d.keys };
}
