/**
 * `cnab-trust status` (roles, keys, thresholds, versions, expiry, what expires soon, the staged change) and
 * `cnab-trust list` (bundle targets with digests) over the published repository.
 */
import type { Metadata, Targets } from '@tufjs/models';
import { daysUntil } from '../../core/tuf/expires.js';
import { RELEASES } from '../../core/tuf/naming.js';
import { delegatedRoleKeys, topLevelRoleKeys, type RoleKeys } from '../../core/tuf/signing.js';
import type { StagedRequirement } from '../../core/tuf/staged.js';
import { LoadedRepository, openRepository, parentOf, readStaged, stagedRequirements, type RepoOptions } from '../../adapters/tuf-repo/repository.js';

/** Above this many targets in a flat targets/releases, status suggests hashed bins (see bench/tuf-sign). */
export const FLAT_TARGETS_WARNING = 2000;

export interface RoleStatus {
  role: string;
  version: number;
  expires: string;
  /** Days from now until `expires` (negative: expired). */
  expiresInDays: number;
  keyids: string[];
  threshold: number;
  /** keyids of this role whose private key is in the key store. */
  localKeys: string[];
  state: 'ok' | 'expiring' | 'expired';
}

export interface StatusReport {
  gun: string;
  metadataDir: string;
  keysDir: string;
  specVersion: string;
  consistentSnapshot: boolean;
  warnDays: number;
  roles: RoleStatus[];
  bins?: { count: number; namePrefix: string };
  staged?: { description: string; created: string; requirements: StagedRequirement[] };
  warnings: string[];
}

export interface StatusOptions extends RepoOptions {
  warnDays?: number;
}

export async function repositoryStatus(opts: StatusOptions): Promise<StatusReport> {
  const ctx = await openRepository(opts);
  const warnDays = opts.warnDays ?? 7;
  const repo = await LoadedRepository.load(ctx.store);
  const local = await ctx.keys.privateKeyIds();
  const roles: RoleStatus[] = [];
  const add = (role: string, md: { signed: { version: number; expires: string } }, keys: RoleKeys | undefined): void => {
    const days = daysUntil(md.signed.expires, ctx.now);
    const keyids = [...new Set(keys?.keyids ?? [])];
    roles.push({
      role,
      version: md.signed.version,
      expires: md.signed.expires,
      expiresInDays: Math.round(days * 100) / 100,
      keyids,
      threshold: keys?.threshold ?? 0,
      localKeys: keyids.filter((k) => local.has(k)),
      state: days <= 0 ? 'expired' : days <= warnDays ? 'expiring' : 'ok',
    });
  };
  add('root', repo.root, topLevelRoleKeys(repo.root, 'root'));
  add('timestamp', repo.timestamp, topLevelRoleKeys(repo.root, 'timestamp'));
  add('snapshot', repo.snapshot, topLevelRoleKeys(repo.root, 'snapshot'));
  const loaded = new Map<string, Metadata<Targets>>();
  for (const role of repo.targetsRoleNames()) {
    const md = await repo.targetsRole(role);
    loaded.set(role, md);
    const parent = parentOf(role);
    const keys = parent === 'root' ? topLevelRoleKeys(repo.root, role) : delegatedRoleKeys(loaded.get(parent) ?? (await repo.targetsRole(parent)), role);
    add(role, md, keys);
  }
  const succinct = (await repo.targetsRole(RELEASES)).signed.delegations?.succinctRoles;
  const warnings = roles
    .filter((r) => r.state !== 'ok')
    .map((r) => (r.state === 'expired' ? `${r.role} expired at ${r.expires}` : `${r.role} expires in ${r.expiresInDays} days (${r.expires})`));
  for (const r of roles) {
    if (r.role !== 'root' && r.localKeys.length < r.threshold && (r.role === 'snapshot' || r.role === 'timestamp')) {
      warnings.push(`${r.role} is an online role but only ${r.localKeys.length}/${r.threshold} of its keys are in ${ctx.keys.dir}`);
    }
  }
  const releasesTargets = Object.keys((await repo.targetsRole(RELEASES)).signed.targets).length;
  if (succinct === undefined && releasesTargets > FLAT_TARGETS_WARNING) {
    warnings.push(
      `${RELEASES} holds ${releasesTargets} targets in one file: every sign rewrites it and clients parse it slowly; move them into hashed bins (cnab-trust metadata rebin --bins N)`,
    );
  }
  const staged = await readStaged(ctx);
  if (staged !== undefined) warnings.push(`a change is staged and waits for signatures: ${staged.description}`);
  return {
    gun: ctx.config.gun,
    metadataDir: ctx.store.location,
    keysDir: ctx.keys.dir,
    specVersion: repo.root.signed.specVersion,
    consistentSnapshot: repo.root.signed.consistentSnapshot,
    warnDays,
    roles,
    ...(succinct === undefined ? {} : { bins: { count: succinct.numberOfBins, namePrefix: succinct.namePrefix } }),
    ...(staged === undefined
      ? {}
      : { staged: { description: staged.description, created: staged.created, requirements: await stagedRequirements(ctx, staged) } }),
    warnings,
  };
}

