/**
 * `cnab-trust init`: keys for every role and the first version of root, targets, targets/releases (and its TAP 15
 * bins), snapshot and timestamp (CNAB-Sec 301), published in the safe write order.
 */
import type { SignatureScheme } from '../../core/crypto/signer.js';
import { CnabTrustError } from '../../core/errors.js';
import { DEFAULT_EXPIRY_DAYS } from '../../core/tuf/expires.js';
import { toTufKey } from '../../core/tuf/keys.js';
import { checkGun, RELEASES, releasesDelegationPaths } from '../../core/tuf/naming.js';
import { initialRepository, type RoleKeySet } from '../../core/tuf/transitions.js';
import { commitChange, RepoContext, resolveStore, withLock, type RepoOptions } from '../../adapters/tuf-repo/repository.js';

export const INIT_ROLES = ['root', 'targets', 'snapshot', 'timestamp', RELEASES] as const;
export type InitRole = (typeof INIT_ROLES)[number];

export interface InitOptions extends RepoOptions {
  gun: string;
  keyType?: SignatureScheme;
  /** Keys generated per role (default 1 each). */
  keyCounts?: Partial<Record<InitRole, number>>;
  thresholds?: Partial<Record<InitRole, number>>;
  expiryDays?: Partial<Record<InitRole, number>>;
  bins?: number;
  encrypt?: boolean;
}

export interface InitReport {
  gun: string;
  metadataDir: string;
  keysDir: string;
  roles: { role: string; keyids: string[]; threshold: number }[];
  versions: Record<string, number>;
  bins?: number;
}

export async function initRepository(opts: InitOptions): Promise<InitReport> {
  const gun = checkGun(opts.gun);
  const keyType = opts.keyType ?? 'ed25519';
  const expiryDays: Record<string, number> = { ...DEFAULT_EXPIRY_DAYS };
  for (const [r, d] of Object.entries(opts.expiryDays ?? {})) {
    if (d !== undefined) {
      if (!(d > 0)) throw new CnabTrustError('E_USAGE', `expiry of ${r} must be a positive number of days`, { subject: r });
      expiryDays[r] = d;
    }
  }
  const ctx = new RepoContext(await resolveStore(opts), {
    gun,
    keyType,
    expiryDays,
    ...(opts.bins === undefined ? {} : { bins: opts.bins }),
    ...(opts.encrypt ? { encrypt: true } : {}),
  });
  if (await ctx.store.exists()) {
    throw new CnabTrustError('E_TUF_REPOSITORY', `a TUF repository already exists in ${ctx.store.location}`, {
      subject: ctx.store.location,
      hint: 'use another --metadata directory or --store database, or rotate keys with cnab-trust metadata rotate',
    });
  }
  return withLock(ctx, async () => {
    const roles = {} as Record<InitRole, RoleKeySet>;
    for (const role of INIT_ROLES) {
      const n = opts.keyCounts?.[role] ?? 1;
      const threshold = opts.thresholds?.[role] ?? 1;
      if (!Number.isInteger(n) || n < 1 || n > 16) {
        throw new CnabTrustError('E_USAGE', `keys of ${role} must be 1..16, got ${n}`, { subject: role });
      }
      if (!Number.isInteger(threshold) || threshold < 1 || threshold > n) {
        throw new CnabTrustError('E_USAGE', `threshold of ${role} must be 1..${n}, got ${threshold}`, { subject: role });
      }
      roles[role] = { keys: [], threshold };
    }
    // Validate everything before generating keys; then generate.
    for (const role of INIT_ROLES) {
      const n = opts.keyCounts?.[role] ?? 1;
      for (let i = 0; i < n; i++) {
        const k = await ctx.keys.generate(keyType, { encrypt: opts.encrypt ?? false });
        roles[role].keys.push(toTufKey(k.publicKey));
      }
    }
    const initial = initialRepository({
      gun,
      now: ctx.now,
      days: (r) => ctx.days(r),
      roles,
      ...(opts.bins === undefined ? {} : { bins: opts.bins }),
      releasesPaths: releasesDelegationPaths(gun),
    });
    await ctx.saveConfig();
    const result = await commitChange(ctx, undefined, {
      description: `init ${gun}`,
      root: initial.root,
      targetsRoles: initial.targetsRoles,
      targetFiles: [],
    });
    return {
      gun,
      metadataDir: ctx.store.location,
      keysDir: ctx.keys.dir,
      roles: INIT_ROLES.map((role) => ({
        role,
        keyids: roles[role].keys.map((k) => k.keyID),
        threshold: roles[role].threshold,
      })),
      versions: result.versions,
      ...(opts.bins === undefined ? {} : { bins: opts.bins }),
    };
  });
}
