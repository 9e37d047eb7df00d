/**
 * `cnab-trust metadata ...`: threshold and offline signing of staged changes, key rotation and revocation, and the
 * periodic refresh of the online roles.
 *
 * A staged change travels as one JSON file: `export-staged` writes it, `sign --staged FILE` adds a signature on
 * any machine (no repository needed there, only the file and the key), `import` merges the signatures back, and
 * the change is published as soon as every threshold is met.
 */
import path from 'node:path';
import type { Key, Metadata, Targets } from '@tufjs/models';
import { CnabTrustError } from '../../core/errors.js';
import { toTufKey } from '../../core/tuf/keys.js';
import { RELEASES, TARGETS, isTopLevelRole, layoutHashOf, layoutTargetName, versionedLayoutTargetName } from '../../core/tuf/naming.js';
import { signMetadata } from '../../core/tuf/signing.js';
import { mergeSignatures, stagedFromJson, stagedRoles, stagedToJson, type StagedChange, type StagedRequirement } from '../../core/tuf/staged.js';
import { nextRoot, nextTargets, releasesIntoBins, rootWithRoleKeys, targetsWithDelegatedKeys, withoutTargets, type KeyChange } from '../../core/tuf/transitions.js';
import { readJsonFile, writeFileAtomic } from '../../adapters/fs/index.js';
import { FileKeyStore, readPublicKeyFile } from '../../adapters/keystore/file-keystore.js';
import type { PassphraseSource } from '../../adapters/keystore/passphrase.js';
import {
  commitChange,
  discardStaged,
  LoadedRepository,
  openRepository,
  publishStaged,
  readStaged,
  tryPublishStaged,
  withLock,
  writeStaged,
  type Change,
  type RepoContext,
  type RepoOptions,
} from '../../adapters/tuf-repo/repository.js';

const MAX_STAGED_FILE = 256 * 1024 * 1024;

export interface StagedReport {
  description: string;
  published: boolean;
  versions: Record<string, number>;
  requirements: StagedRequirement[];
  file?: string;
}

async function requireStaged(ctx: RepoContext): Promise<StagedChange> {
  const staged = await readStaged(ctx);
  if (staged === undefined) {
    throw new CnabTrustError('E_TUF_STAGED', `no change is staged in ${ctx.store.location}`, { subject: ctx.store.location });
  }
  return staged;
}

async function readStagedFile(file: string): Promise<StagedChange> {
  const { value } = await readJsonFile(file, { maxBytes: MAX_STAGED_FILE, what: 'staged change' });
  return stagedFromJson(value, file);
}

/** Add one signature with `keyFile` to role `role` of a staged change (the repository's, or `stagedFile`). */
export async function signStaged(
  opts: RepoOptions & { role: string; keyFile: string; stagedFile?: string },
): Promise<StagedReport & { keyid: string }> {
  const keys = new FileKeyStore(opts.keysDir ?? 'keys', opts.passphrase);
  const signer = await keys.loadSigner(opts.keyFile);
  const sign = async (staged: StagedChange): Promise<void> => {
    const md = new Map(stagedRoles(staged)).get(opts.role);
    if (md === undefined) {
      throw new CnabTrustError('E_USAGE', `the staged change has no role ${opts.role} (it has ${stagedRoles(staged).map(([r]) => r).join(', ')})`, {
        subject: opts.role,
      });
    }
    const allowed = new Set(staged.requirements.filter((r) => r.role === opts.role).flatMap((r) => r.keyids));
    if (!allowed.has(signer.keyid)) {
      throw new CnabTrustError('E_USAGE', `key ${signer.keyid} is not a key of ${opts.role} for this change`, {
        subject: opts.keyFile,
        details: { allowed: [...allowed] },
      });
    }
    await signMetadata(md, [signer]);
  };
  if (opts.stagedFile !== undefined) {
    // Another machine: only the file and the key.
    const staged = await readStagedFile(opts.stagedFile);
    await sign(staged);
    for (const r of staged.requirements) if (r.role === opts.role && !r.signed.includes(signer.keyid)) r.signed.push(signer.keyid);
    await writeFileAtomic(opts.stagedFile, JSON.stringify(stagedToJson(staged), null, 1) + '\n');
    return { description: staged.description, published: false, versions: {}, requirements: staged.requirements, file: opts.stagedFile, keyid: signer.keyid };
  }
  const ctx = await openRepository(opts);
  return withLock(ctx, async () => {
    const staged = await requireStaged(ctx);
    await sign(staged);
    const r = await tryPublishStaged(ctx, staged);
    return { description: staged.description, ...r, keyid: signer.keyid };
  });
}

export async function exportStaged(opts: RepoOptions & { out: string }): Promise<StagedReport> {
  const ctx = await openRepository(opts);
  const staged = await requireStaged(ctx);
  await writeFileAtomic(path.resolve(opts.out), JSON.stringify(stagedToJson(staged), null, 1) + '\n');
  return { description: staged.description, published: false, versions: {}, requirements: staged.requirements, file: path.resolve(opts.out) };
}

/** Merge the signatures of an exported (and signed elsewhere) staged change; publish if the thresholds are met. */
export async function importStaged(opts: RepoOptions & { file: string }): Promise<StagedReport & { added: number }> {
  const ctx = await openRepository(opts);
  const other = await readStagedFile(opts.file);
  return withLock(ctx, async () => {
    const staged = await requireStaged(ctx);
    const added = mergeSignatures(staged, other);
    const r = await tryPublishStaged(ctx, staged);
    return { description: staged.description, ...r, added };
  });
}

export async function publishStagedChange(opts: RepoOptions): Promise<StagedReport> {
  const ctx = await openRepository(opts);
  return withLock(ctx, async () => {
    const staged = await requireStaged(ctx);
    return { description: staged.description, ...(await publishStaged(ctx, staged)) };
  });
}

export async function discardStagedChange(opts: RepoOptions): Promise<{ discarded: string }> {
  const ctx = await openRepository(opts);
  return withLock(ctx, async () => {
    const staged = await requireStaged(ctx);
    await discardStaged(ctx);
    return { discarded: staged.description };
  });
}

/**
 * `metadata refresh`: new snapshot and timestamp versions with fresh expiry, signed with the online keys. With
 * `roles`, those roles are renewed too (same content, version + 1, fresh expiry): `targets/releases` (with its bins),
 * `targets`, `root` (through N+1.root.json). A renewal whose keys are not here is staged like any change.
 */
export async function refreshOnline(opts: RepoOptions & { roles?: string[] }): Promise<{ versions: Record<string, number>; published: boolean }> {
  const ctx = await openRepository(opts);
  return withLock(ctx, async () => {
    const repo = await LoadedRepository.load(ctx.store);
    const change: Change = {
      description: `refresh ${['snapshot', 'timestamp', ...(opts.roles ?? [])].join(', ')}`,
      targetsRoles: new Map(),
      targetFiles: [],
      renewOnline: true,
      besideStaged: (opts.roles ?? []).length === 0,
    };
    for (const role of opts.roles ?? []) {
      if (role === 'snapshot' || role === 'timestamp') continue;
      if (role === 'root') {
        change.root = nextRoot(repo.root, ctx.now, ctx.days('root'));
      } else if (role === TARGETS || role === RELEASES) {
        change.targetsRoles.set(role, nextTargets(await repo.targetsRole(role), ctx.now, ctx.days(role)));
        if (role === RELEASES) {
          // TAP 15 bins expire like targets/releases: renew them with it.
          const succinct = (await repo.targetsRole(RELEASES)).signed.delegations?.succinctRoles;
          for (const bin of succinct?.getRoles() ?? []) {
            change.targetsRoles.set(bin, nextTargets(await repo.targetsRole(bin), ctx.now, ctx.days(bin)));
          }
        }
      } else {
        throw new CnabTrustError('E_USAGE', `cannot refresh role ${role}`, {
          subject: role,
          hint: 'roles: root, targets, targets/releases (snapshot and timestamp are always refreshed)',
        });
      }
    }
    const r = await commitChange(ctx, repo, change);
    return { versions: r.versions, published: r.published };
  });
}

export interface RotateOptions extends RepoOptions {
  role: string;
  /** Generate this many new keys for the role (rotate's default: as many as it has, when nothing else is said). */
  generate?: number;
  /** Public key files to add. */
  addKeys?: string[];
  /** keyids to remove (revocation). */
  removeKeyIds?: string[];
  /** Replace every current key (rotate without --remove-keyid). */
  replaceAll?: boolean;
  threshold?: number;
  passphraseForNewKeys?: PassphraseSource;
}

export interface RotateReport extends StagedReport {
  role: string;
  added: string[];
  removed: string[];
  threshold: number;
}

/**
 * Change a role's keys: rotate (new keys replace old ones) or revoke (a key leaves the role). A top-level role's
 * keys change through a new root (N+1.root.json, signed by the old and the new root thresholds); a delegated role's
 * keys through a new version of its delegator. The role's own metadata is re-signed with the new keys, so nothing
 * valid remains that only a removed key signed.
 */
export async function changeRoleKeys(opts: RotateOptions): Promise<RotateReport> {
  const ctx = await openRepository(opts);
  return withLock(ctx, async () => {
    const repo = await LoadedRepository.load(ctx.store);
    const role = opts.role;
    let current: { keyids: string[]; threshold: number };
    let releases: Metadata<Targets> | undefined;
    if (isTopLevelRole(role)) {
      const r = repo.root.signed.roles[role]!;
      current = { keyids: [...r.keyIDs], threshold: r.threshold };
    } else if (role === RELEASES) {
      const d = (await repo.targetsRole(TARGETS)).signed.delegations?.roles?.[RELEASES];
      if (d === undefined) throw new CnabTrustError('E_TUF_DELEGATION', `targets does not delegate ${RELEASES}`, { subject: RELEASES });
      current = { keyids: [...d.keyIDs], threshold: d.threshold };
      releases = await repo.targetsRole(RELEASES);
    } else {
      throw new CnabTrustError('E_USAGE', `cannot change keys of role ${role}`, {
        subject: role,
        hint: 'roles: root, targets, snapshot, timestamp, targets/releases (its bins share its keys)',
      });
    }
    const remove = opts.replaceAll ? current.keyids : (opts.removeKeyIds ?? []);
    const add: Key[] = [];
    for (const f of opts.addKeys ?? []) add.push(toTufKey(await readPublicKeyFile(f, '--add-key')));
    const generate = opts.generate ?? (opts.replaceAll && add.length === 0 ? current.keyids.length : 0);
    const keyChange: KeyChange = { remove, add, ...(opts.threshold === undefined ? {} : { threshold: opts.threshold }) };
    // Validate the change before generating any key (generated keys are new, so they add to the count).
    const kept = current.keyids.filter((k) => !remove.includes(k));
    const expectedCount = new Set([...kept, ...add.map((k) => k.keyID)]).size + generate;
    const t = opts.threshold ?? current.threshold;
    if (expectedCount === 0 || t < 1 || t > expectedCount) {
      throw new CnabTrustError('E_USAGE', `role ${role} would have ${expectedCount} key(s) for threshold ${t}`, {
        subject: role,
        hint: 'add keys (--generate N or --add-key FILE) or lower --threshold',
      });
    }
    for (let i = 0; i < generate; i++) {
      const k = await ctx.keys.generate(ctx.config.keyType, { encrypt: ctx.config.encrypt ?? false });
      add.push(toTufKey(k.publicKey));
    }
    const change: Change = { description: `${remove.length > 0 && add.length === 0 ? 'revoke' : 'rotate'} keys of ${role}`, targetsRoles: new Map(), targetFiles: [] };
    if (isTopLevelRole(role)) {
      change.root = rootWithRoleKeys(repo.root, role, keyChange, ctx.now, ctx.days('root'));
      if (role === TARGETS) {
        // Re-sign targets with its new keys (a new version), so the old key's signature leaves the repository.
        change.targetsRoles.set(TARGETS, nextTargets(await repo.targetsRole(TARGETS), ctx.now, ctx.days(TARGETS)));
      }
      // snapshot/timestamp: a root change always publishes new versions signed with the new root's keys.
    } else {
      const targets = await repo.targetsRole(TARGETS);
      change.targetsRoles.set(TARGETS, targetsWithDelegatedKeys(targets, RELEASES, keyChange, ctx.now, ctx.days(TARGETS)));
      const succinct = releases!.signed.delegations?.succinctRoles;
      if (succinct === undefined) {
        change.targetsRoles.set(RELEASES, nextTargets(releases!, ctx.now, ctx.days(RELEASES)));
      } else {
        // TAP 15 bins share the targets/releases keys: the succinct delegation changes and every bin is re-signed.
        const bins = [...succinct.getRoles()];
        change.targetsRoles.set(RELEASES, targetsWithDelegatedKeys(releases!, bins[0]!, keyChange, ctx.now, ctx.days(RELEASES)));
        for (const bin of bins) change.targetsRoles.set(bin, nextTargets(await repo.targetsRole(bin), ctx.now, ctx.days(bin)));
      }
    }
    const result = await commitChange(ctx, repo, change);
    return {
      description: change.description,
      role,
      added: add.map((k) => k.keyID),
      removed: [...remove],
      threshold: t,
      ...result,
    };
  });
}

/** `metadata rebin --bins N`: move the bundle targets of a flat `targets/releases` into TAP 15 hashed bins. */
export async function rebinReleases(opts: RepoOptions & { bins: number }): Promise<StagedReport & { bins: number; targets: number }> {
  const ctx = await openRepository(opts);
  return withLock(ctx, async () => {
    const repo = await LoadedRepository.load(ctx.store);
    const targets = await repo.targetsRole(TARGETS);
    const d = targets.signed.delegations;
    const role = d?.roles?.[RELEASES];
    if (d === undefined || role === undefined) {
      throw new CnabTrustError('E_TUF_DELEGATION', `targets does not delegate ${RELEASES}`, { subject: RELEASES });
    }
    const releases = await repo.targetsRole(RELEASES);
    const keys = { keys: role.keyIDs.map((id) => d.keys[id]!).filter((k) => k !== undefined), threshold: role.threshold };
    const changed = releasesIntoBins(releases, keys, opts.bins, ctx.now, (r) => ctx.days(r));
    const result = await commitChange(ctx, repo, {
      description: `move ${RELEASES} into ${opts.bins} bins`,
      targetsRoles: changed,
      targetFiles: [],
    });
    ctx.config.bins = opts.bins;
    await ctx.saveConfig();
    return { description: `move ${RELEASES} into ${opts.bins} bins`, ...result, bins: opts.bins, targets: Object.keys(releases.signed.targets).length };
  });
}

/**
 * Revoke a root layout on purpose (a compromised layout key, a wrong rule): `targets` stops signing
 * `<gun>/in-toto-metadata/<hash>.root.layout`, so every release bound to it fails verification from then on, while
 * releases under other layouts keep verifying. Needs the (offline) targets key; without it the change is staged.
 * The key targets stay (another layout may name them).
 */
export async function revokeLayout(opts: RepoOptions & { layout: string }): Promise<StagedReport & { revoked: string }> {
  const ctx = await openRepository(opts);
  return withLock(ctx, async () => {
    const repo = await LoadedRepository.load(ctx.store);
    const targets = await repo.targetsRole(TARGETS);
    const gun = ctx.config.gun;
    const name = /^[0-9a-f]{64}$/.test(opts.layout) ? versionedLayoutTargetName(gun, opts.layout) : opts.layout;
    const layouts = Object.keys(targets.signed.targets).filter((n) => n === layoutTargetName(gun) || layoutHashOf(gun, n) !== undefined);
    if (!layouts.includes(name)) {
      throw new CnabTrustError('E_TUF_TARGET_NOT_FOUND', `targets signs no layout ${name}`, {
        subject: opts.layout,
        hint: layouts.length === 0 ? 'this repository has no layout' : `layouts signed now: ${layouts.join(', ')}`,
      });
    }
    const description = `revoke layout ${name}`;
    const result = await commitChange(ctx, repo, {
      description,
      targetsRoles: new Map([[TARGETS, withoutTargets(targets, [name], ctx.now, ctx.days(TARGETS))]]),
      targetFiles: [],
    });
    return { description, ...result, revoked: name };
  });
}
