/**
 * TUF thresholds count distinct public keys, not keyids (TUF spec 5.3.4 / 5.4.2 / 5.5.3 / 5.6.3: "a threshold of
 * signatures by *keys*"). A delegation that lists one public key under two keyids lets the holder
 * of that one private key meet a threshold of 2 by signing twice (the same signature under each keyid, or two).
 * tuf-js 5.0.1 (`Metadata.verifyDelegate`) counts keyids, so:
 *  - our repository tools refuse such a delegation when they write it (`duplicateKeyGroups`);
 *  - our client re-counts every delegation it trusted by distinct public keys (`assertDistinctKeyThreshold`).
 * Hand-written because neither @tufjs/models nor tuf-js offers a count by key material.
 */
import { createPublicKey } from 'node:crypto';
import type { Key, Metadata, Root, Snapshot, Targets, Timestamp } from '@tufjs/models';

/** Any TUF metadata. */
export type AnyMetadata = Metadata<Root | Timestamp | Snapshot | Targets>;
import { CnabTrustError } from '../errors.js';

/** What names one public key whatever its keyid or encoding (hex or PEM): its SPKI DER, hex. */
export function publicKeyIdentity(key: Pick<Key, 'keyType' | 'scheme' | 'keyVal'>): string {
  const pub = String(key.keyVal['public'] ?? '');
  try {
    if (/^[0-9a-f]{64}$/i.test(pub) && (key.keyType === 'ed25519' || key.scheme === 'ed25519')) {
      return spkiHex(createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pub, 'hex').toString('base64url') }, format: 'jwk' }));
    }
    return spkiHex(createPublicKey({ key: pub, format: 'pem' }));
  } catch {
    // not loadable: such a key verifies no signature; name it by its text
    return `${key.keyType}:${pub.trim()}`;
  }
}

function spkiHex(k: ReturnType<typeof createPublicKey>): string {
  return k.export({ type: 'spki', format: 'der' }).toString('hex');
}

/** Groups (of two or more keyids) among `keyids` that name the same public key in `keys`. */
export function duplicateKeyGroups(keys: Readonly<Record<string, Pick<Key, 'keyType' | 'scheme' | 'keyVal'>>>, keyids: readonly string[]): string[][] {
  const byIdentity = new Map<string, string[]>();
  for (const keyid of new Set(keyids)) {
    const key = keys[keyid];
    if (key === undefined) continue;
    const id = publicKeyIdentity(key);
    byIdentity.set(id, [...(byIdentity.get(id) ?? []), keyid]);
  }
  return [...byIdentity.values()].filter((g) => g.length > 1);
}

/** The keys, keyids and threshold `delegator` (root, or targets with delegations) gives `role`; undefined if none. */
export function delegationOf(
  delegator: AnyMetadata,
  role: string,
): { keys: Record<string, Key>; keyids: string[]; threshold: number } | undefined {
  const signed = delegator.signed as unknown as {
    keys?: Record<string, Key>;
    roles?: Record<string, { keyIDs: string[]; threshold: number }>;
    delegations?: {
      keys: Record<string, Key>;
      roles?: Record<string, { keyIDs: string[]; threshold: number }>;
      succinctRoles?: { keyIDs: string[]; threshold: number; isDelegatedRole(name: string): boolean };
    };
  };
  if (signed.keys !== undefined && signed.roles !== undefined) {
    const r = signed.roles[role];
    return r === undefined ? undefined : { keys: signed.keys, keyids: r.keyIDs, threshold: r.threshold };
  }
  const d = signed.delegations;
  if (d === undefined) return undefined;
  const r = d.roles?.[role] ?? (d.succinctRoles?.isDelegatedRole(role) ? d.succinctRoles : undefined);
  return r === undefined ? undefined : { keys: d.keys, keyids: r.keyIDs, threshold: r.threshold };
}

/**
 * Count the distinct public keys of `delegator`'s delegation to `role` that signed `delegated`; throw
 * E_TUF_THRESHOLD when fewer than the threshold did (whatever the number of keyids that did).
 */
export function assertDistinctKeyThreshold(delegator: AnyMetadata, role: string, delegated: AnyMetadata): void {
  const delegation = delegationOf(delegator, role);
  if (delegation === undefined) return;
  const signers = new Set<string>();
  for (const keyid of new Set(delegation.keyids)) {
    const key = delegation.keys[keyid];
    if (key === undefined) continue;
    try {
      key.verifySignature(delegated);
      signers.add(publicKeyIdentity(key));
    } catch {
      // not signed by this key
    }
  }
  if (signers.size < delegation.threshold) {
    const groups = duplicateKeyGroups(delegation.keys, delegation.keyids);
    throw new CnabTrustError(
      'E_TUF_THRESHOLD',
      `${role} is signed by ${signers.size} distinct key(s), its threshold is ${delegation.threshold}` +
        (groups.length > 0 ? ` (keyids ${groups.map((g) => g.join(' = ')).join('; ')} are one public key)` : ''),
      {
        subject: role,
        hint: 'a threshold counts distinct public keys: one key listed under several keyids counts once',
        details: { role, distinctSigners: signers.size, threshold: delegation.threshold, duplicateKeyids: groups },
      },
    );
  }
}
