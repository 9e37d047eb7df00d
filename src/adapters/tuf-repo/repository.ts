/**
 * The writer's side of a TUF repository: open it (metadata dir + key store + config), load the roles a change
 * needs, and commit a change: sign what the local keys can sign, publish when every threshold is met (snapshot and
 * timestamp follow with the online keys), otherwise stage it for more signatures (E_TUF_STAGED).
 */
import path from 'node:path';
import type { Metadata, Root, Snapshot, Targets, Timestamp } from '@tufjs/models';
import { CnabTrustError } from '../../core/errors.js';
import type { SignatureScheme } from '../../core/crypto/signer.js';
import { expiryDaysOf, DEFAULT_EXPIRY_DAYS } from '../../core/tuf/expires.js';
import { metadataBytes, type AnyMetadata } from '../../core/tuf/metadata-files.js';
import { RELEASES, TARGETS } from '../../core/tuf/naming.js';
import {
  delegatedRoleKeys,
  signMetadata,
  topLevelRoleKeys,
  validSignatureKeyIds,
  type RoleKeys,
} from '../../core/tuf/signing.js';
import { stagedFromJson, stagedRoles, stagedToJson, type StagedChange, type StagedRequirement } from '../../core/tuf/staged.js';
import { emptySnapshot, emptyTimestamp, metaFileFor, nextSnapshot, nextTimestamp } from '../../core/tuf/transitions.js';
import { formatExpires } from '../../core/tuf/expires.js';
import { DirRepositoryStore } from './dir-store.js';
import type { LockMode, Publication, RepositoryStore } from './repository-store.js';
import { openStore } from './open-store.js';
import { FileKeyStore } from '../keystore/file-keystore.js';
import type { PassphraseSource } from '../keystore/passphrase.js';
import type { MetaFile } from '@tufjs/models';

/** What `init` chose and later commands reuse (`.cnab-trust/config.json`). */
export interface RepoConfig {
  gun: string;
  keyType: SignatureScheme;
  expiryDays: Record<string, number>;
  bins?: number;
  encrypt?: boolean;
}

export interface RepoOptions {
  metadataDir?: string;
  keysDir?: string;
  now?: Date;
  passphrase?: PassphraseSource;
  /** Where the repository lives; default: the directory store over `metadataDir`. */
  store?: RepositoryStore;
  /** A store URL (`postgres://...`) or directory; else CNAB_TRUST_STORE; else `metadataDir`. */
  storeUrl?: string;
  /** Where notices go (a stale lock broken); default: stderr, as `notice: ...`. */
  onNotice?: (message: string) => void;
}

/** Fill in `store` from `storeUrl` / CNAB_TRUST_STORE (nothing to do for the directory store). */
export async function resolveStore<T extends RepoOptions>(opts: T): Promise<T> {
  if (opts.store !== undefined) return opts;
  const store = await openStore(opts.storeUrl);
  return store === undefined ? opts : { ...opts, store };
}

export const DEFAULT_METADATA_DIR = 'metadata';
export const DEFAULT_KEYS_DIR = 'keys';
const CONFIG = 'config.json';
const STAGED = 'staged.json';

export class RepoContext {
  readonly store: RepositoryStore;
  readonly keys: FileKeyStore;
  readonly now: Date;
  config: RepoConfig;
  readonly notice: (message: string) => void;

  constructor(opts: RepoOptions, config: RepoConfig) {
    this.notice = opts.onNotice ?? ((m) => void process.stderr.write(`notice: ${m}\n`));
    this.store = opts.store ?? new DirRepositoryStore(path.resolve(opts.metadataDir ?? DEFAULT_METADATA_DIR));
    this.keys = new FileKeyStore(path.resolve(opts.keysDir ?? DEFAULT_KEYS_DIR), opts.passphrase);
    this.now = opts.now ?? new Date();
    this.config = config;
  }

  days(role: string): number {
    return expiryDaysOf(role, this.config.expiryDays);
  }

  async saveConfig(): Promise<void> {
    await this.store.writeState(CONFIG, JSON.stringify(this.config, null, 2) + '\n');
  }
}

/** Open an existing repository (its config says the GUN, periods, key type). */
export async function openRepository(opts: RepoOptions): Promise<RepoContext> {
  const ctx = new RepoContext(await resolveStore(opts), { gun: '', keyType: 'ed25519', expiryDays: { ...DEFAULT_EXPIRY_DAYS } });
  await ctx.store.requireExisting();
  const raw = await ctx.store.readState(CONFIG);
  if (raw !== undefined) {
    try {
      ctx.config = { ...ctx.config, ...(JSON.parse(raw.toString('utf8')) as RepoConfig) };
    } catch (e) {
      throw new CnabTrustError('E_TUF_REPOSITORY', `unreadable ${ctx.store.stateLocation(CONFIG)}`, { subject: CONFIG, cause: e });
    }
  }
  return ctx;
}

/** The published state, with targets roles loaded on demand (a repository may hold thousands of bins). */
export class LoadedRepository {
  readonly root: Metadata<Root>;
  readonly timestamp: Metadata<Timestamp>;
  readonly snapshot: Metadata<Snapshot>;
  readonly #store: RepositoryStore;
  readonly #targets = new Map<string, Metadata<Targets>>();
  /** Versions newer than the snapshot's, seen under a role lock (lockForChange). */
  readonly #heads = new Map<string, number>();

  constructor(store: RepositoryStore, root: Metadata<Root>, timestamp: Metadata<Timestamp>, snapshot: Metadata<Snapshot>) {
    this.#store = store;
    this.root = root;
    this.timestamp = timestamp;
    this.snapshot = snapshot;
  }

  static async load(store: RepositoryStore): Promise<LoadedRepository> {
    const root = await store.readRoot();
    const timestamp = await store.readTimestamp();
    const snapshot = await store.readSnapshot(timestamp.signed.snapshotMeta.version);
    return new LoadedRepository(store, root, timestamp, snapshot);
  }

  /** The current version of a targets role (as snapshot names it). */
  async targetsRole(role: string): Promise<Metadata<Targets>> {
    const hit = this.#targets.get(role);
    if (hit !== undefined) return hit;
    const version = this.#heads.get(role) ?? this.snapshot.signed.meta[`${role}.json`]?.version;
    if (version === undefined) {
      throw new CnabTrustError('E_TUF_DELEGATION', `role ${role} is not in the snapshot`, { subject: role });
    }
    const { md } = await this.#store.readTargetsRole(role, version);
    this.#targets.set(role, md);
    return md;
  }

  /**
   * Lock the targets roles a change writes (stores shared by concurrent signers lock per role) and see their
   * current versions: another signer may have published one since this snapshot was read.
   */
  async lockForChange(roles: string[]): Promise<void> {
    const heads = await this.#store.lockRoles?.(roles);
    for (const [role, version] of heads ?? []) {
      if (this.#targets.get(role)?.signed.version !== version) this.#targets.delete(role);
      this.#heads.set(role, version);
    }
  }

  /** The roles the snapshot lists (targets and every delegated role, bins included). */
  targetsRoleNames(): string[] {
    return Object.keys(this.snapshot.signed.meta).map((n) => n.slice(0, -'.json'.length));
  }
}

/** A change to commit: new versions of root and/or targets roles, plus the target files they sign. */
export interface Change {
  description: string;
  root?: Metadata<Root>;
  targetsRoles: Map<string, Metadata<Targets>>;
  targetFiles: NonNullable<Publication['targetFiles']>;
  /** Renew snapshot and timestamp even if no targets role changed (refresh, rotation of their keys). */
  renewOnline?: boolean;
  /** Commit even while another change is staged (refresh touches only the online roles). */
  besideStaged?: boolean;
  /**
   * Called with the complete, signed publication before any of it is written (e.g. to check it in a staging copy);
   * if it throws, nothing is published.
   */
  beforePublish?: (publication: Publication) => Promise<void>;
}

export interface CommitResult {
  published: boolean;
  /** Role -> version published (root, targets roles, snapshot, timestamp). */
  versions: Record<string, number>;
  requirements: StagedRequirement[];
}

/** The delegator of a targets role: `targets` for `targets/releases`, `targets/releases` for its bins. */
export function parentOf(role: string): string {
  if (role === TARGETS) return 'root';
  if (role === RELEASES) return TARGETS;
  const slash = role.lastIndexOf('/');
  return slash < 0 ? TARGETS : role.slice(0, slash);
}

/** The signature requirements of each role in a change (who must sign, how many). */
async function requirementsOf(
  repo: LoadedRepository | undefined,
  root: Metadata<Root> | undefined,
  targetsRoles: Map<string, Metadata<Targets>>,
): Promise<{ role: string; md: AnyMetadata; against: string; keys: RoleKeys }[]> {
  const currentRoot = repo?.root;
  const effectiveRoot = root ?? currentRoot;
  if (effectiveRoot === undefined) throw new CnabTrustError('E_INTERNAL', 'a change without any root', { subject: 'root' });
  const out: { role: string; md: AnyMetadata; against: string; keys: RoleKeys }[] = [];
  if (root !== undefined) {
    // Client workflow 5.3.4: a new root is signed by a threshold of the old root's root keys ...
    if (currentRoot !== undefined) {
      out.push({ role: 'root', md: root, against: `root v${currentRoot.signed.version}`, keys: topLevelRoleKeys(currentRoot, 'root')! });
    }
    // ... and by a threshold of its own.
    out.push({ role: 'root', md: root, against: `root v${root.signed.version}`, keys: topLevelRoleKeys(root, 'root')! });
  }
  for (const [role, md] of targetsRoles) {
    const parent = parentOf(role);
    let keys: RoleKeys | undefined;
    if (parent === 'root') keys = topLevelRoleKeys(effectiveRoot, role);
    else {
      const pmd = targetsRoles.get(parent) ?? (await repo?.targetsRole(parent));
      keys = pmd === undefined ? undefined : delegatedRoleKeys(pmd, role);
    }
    if (keys === undefined) throw new CnabTrustError('E_TUF_DELEGATION', `no delegation names role ${role}`, { subject: role });
    out.push({ role, md, against: parent, keys });
  }
  return out;
}

/**
 * Commit a change: sign it with every local key it needs, then publish it if all thresholds are met, else stage
 * it (E_TUF_STAGED, after writing the staged change). Caller holds the lock.
 */
export async function commitChange(ctx: RepoContext, repo: LoadedRepository | undefined, change: Change): Promise<CommitResult> {
  if (!change.besideStaged && (await ctx.store.readState(STAGED))) {
    throw new CnabTrustError('E_TUF_STAGED', 'another change is staged and waits for signatures', {
      subject: ctx.store.stateLocation(STAGED),
      hint: 'finish it (cnab-trust metadata sign / publish) or drop it (cnab-trust metadata discard)',
    });
  }
  const reqs = await requirementsOf(repo, change.root, change.targetsRoles);
  // Sign each role with the local keys of its requirement(s) (once per key).
  const signedBy = new Map<AnyMetadata, Set<string>>();
  for (const r of reqs) {
    const done = signedBy.get(r.md) ?? new Set<string>();
    const signers = (await ctx.keys.signersFor(r.keys.keyids)).filter((s) => !done.has(s.keyid));
    await signMetadata(r.md, signers);
    for (const s of signers) done.add(s.keyid);
    signedBy.set(r.md, done);
  }
  const requirements = reqs.map(toRequirement);
  if (requirements.some((r) => r.signed.length < r.threshold)) {
    await ctx.store.writeTargetFiles(change.targetFiles);
    const staged: StagedChange = {
      description: change.description,
      created: formatExpires(ctx.now),
      ...(change.root === undefined ? {} : { root: change.root }),
      targetsRoles: change.targetsRoles,
      targetFiles: change.targetFiles.map((t) => ({ name: t.name, sha256: t.sha256, length: t.bytes.length })),
      requirements,
    };
    await ctx.store.writeState(STAGED, JSON.stringify(stagedToJson(staged), null, 1) + '\n');
    throw stagedError(requirements, ctx.store.stateLocation(STAGED));
  }
  return publishSigned(ctx, repo, change, requirements);
}

function toRequirement(r: { role: string; md: AnyMetadata; against: string; keys: RoleKeys }): StagedRequirement {
  return {
    role: r.role,
    against: r.against,
    keyids: [...new Set(r.keys.keyids)],
    threshold: r.keys.threshold,
    signed: validSignatureKeyIds(r.md, r.keys),
  };
}

function stagedError(requirements: StagedRequirement[], file: string): CnabTrustError {
  const missing = requirements.filter((r) => r.signed.length < r.threshold);
  return new CnabTrustError(
    'E_TUF_STAGED',
    `change staged, not published: ${missing.map((r) => `${r.role} has ${r.signed.length}/${r.threshold} signatures (${r.against})`).join('; ')}`,
    {
      subject: missing.map((r) => r.role).join(', '),
      hint: 'add signatures with cnab-trust metadata sign --role R --key K (or export-staged / import for another machine)',
      details: { staged: file, requirements },
    },
  );
}

/** Publish a fully signed change: targets roles, then snapshot, timestamp, root (dir-store orders the writes). */
async function publishSigned(
  ctx: RepoContext,
  repo: LoadedRepository | undefined,
  change: Change,
  requirements: StagedRequirement[],
): Promise<CommitResult> {
  const root = change.root ?? repo?.root;
  if (root === undefined) throw new CnabTrustError('E_INTERNAL', 'publishing without a root', { subject: 'root' });
  const versions: Record<string, number> = {};
  const pub: Publication = { targetFiles: change.targetFiles, targetsRoles: [] };
  const metas = new Map<string, MetaFile>();
  for (const [role, md] of change.targetsRoles) {
    const bytes = metadataBytes(md);
    pub.targetsRoles!.push({ role, version: md.signed.version, bytes });
    metas.set(role, metaFileFor(md.signed.version, bytes));
    versions[role] = md.signed.version;
  }
  if (metas.size > 0 || change.root !== undefined || change.renewOnline) {
    // A store shared by concurrent signers: write the targets roles first (in its transaction, so invisible
    // until all is), then lock snapshot and timestamp, read the current ones, and hold them only from here.
    let online: { snapshot: Metadata<Snapshot>; timestamp: Metadata<Timestamp> } | undefined = repo;
    if (repo !== undefined && ctx.store.lockOnline !== undefined) {
      await ctx.store.publish({ targetFiles: pub.targetFiles ?? [], targetsRoles: pub.targetsRoles ?? [] });
      pub.targetFiles = [];
      pub.targetsRoles = [];
      online = await ctx.store.lockOnline();
    }
    // TUF spec 4.4/4.5: the online roles, signed here with the keys the (new) root names.
    const snapshot = nextSnapshot(online?.snapshot ?? emptySnapshot(), metas, ctx.now, ctx.days('snapshot'));
    await signOnline(ctx, root, 'snapshot', snapshot);
    const snapshotBytes = metadataBytes(snapshot);
    pub.snapshot = { version: snapshot.signed.version, bytes: snapshotBytes };
    const timestamp = nextTimestamp(online?.timestamp ?? emptyTimestamp(), snapshot.signed.version, snapshotBytes, ctx.now, ctx.days('timestamp'));
    await signOnline(ctx, root, 'timestamp', timestamp);
    pub.timestamp = metadataBytes(timestamp);
    versions.snapshot = snapshot.signed.version;
    versions.timestamp = timestamp.signed.version;
  }
  if (change.root !== undefined) {
    pub.root = { version: change.root.signed.version, bytes: metadataBytes(change.root) };
    versions.root = change.root.signed.version;
  }
  if (change.beforePublish !== undefined) await change.beforePublish(pub);
  await ctx.store.publish(pub);
  return { published: true, versions, requirements };
}

async function signOnline(ctx: RepoContext, root: Metadata<Root>, role: 'snapshot' | 'timestamp', md: AnyMetadata): Promise<void> {
  const keys = topLevelRoleKeys(root, role)!;
  await signMetadata(md, await ctx.keys.signersFor(keys.keyids));
  const have = validSignatureKeyIds(md, keys).length;
  if (have < keys.threshold) {
    throw new CnabTrustError('E_TUF_THRESHOLD', `${role} needs ${keys.threshold} signature(s), the keys here give ${have}`, {
      subject: role,
      hint: `${role} is an online role: its private key(s) must be in the key store (--keys)`,
      details: { keyids: keys.keyids },
    });
  }
}

// --- the staged change on disk ---------------------------------------------------------------------------------

export async function readStaged(ctx: RepoContext): Promise<StagedChange | undefined> {
  const raw = await ctx.store.readState(STAGED);
  if (raw === undefined) return undefined;
  return stagedFromJson(JSON.parse(raw.toString('utf8')), STAGED);
}

export async function writeStaged(ctx: RepoContext, change: StagedChange): Promise<void> {
  await ctx.store.writeState(STAGED, JSON.stringify(stagedToJson(change), null, 1) + '\n');
}

export async function discardStaged(ctx: RepoContext): Promise<void> {
  await ctx.store.removeState(STAGED);
}

/** Re-evaluate the staged change against the repository now; publish it if every threshold is met. */
export async function publishStaged(ctx: RepoContext, staged: StagedChange): Promise<CommitResult> {
  const result = await tryPublishStaged(ctx, staged);
  if (!result.published) {
    const e = stagedError(result.requirements, ctx.store.stateLocation(STAGED));
    throw new CnabTrustError('E_TUF_THRESHOLD', e.message.replace('change staged, not published', 'threshold not met'), {
      subject: e.subject ?? 'staged change',
      ...(e.hint === undefined ? {} : { hint: e.hint }),
      ...(e.details === undefined ? {} : { details: e.details }),
    });
  }
  return result;
}

/** Publish the staged change if every threshold is met now; else keep it staged (with updated requirements). */
export async function tryPublishStaged(ctx: RepoContext, staged: StagedChange): Promise<CommitResult> {
  const repo = await LoadedRepository.load(ctx.store);
  // A staged role must still be the next version of what is published (else someone published in between).
  if (staged.root !== undefined && staged.root.signed.version !== repo.root.signed.version + 1) {
    throw new CnabTrustError('E_TUF_STAGED', `staged root v${staged.root.signed.version} no longer follows root v${repo.root.signed.version}`, {
      subject: 'root',
      hint: 'discard it (cnab-trust metadata discard) and make the change again',
    });
  }
  for (const [role, md] of staged.targetsRoles) {
    const cur = repo.snapshot.signed.meta[`${role}.json`]?.version ?? 0;
    if (md.signed.version !== cur + 1) {
      throw new CnabTrustError('E_TUF_STAGED', `staged ${role} v${md.signed.version} no longer follows v${cur}`, {
        subject: role,
        hint: 'discard it (cnab-trust metadata discard) and make the change again',
      });
    }
  }
  const reqs = (await requirementsOf(repo, staged.root, staged.targetsRoles)).map(toRequirement);
  staged.requirements = reqs;
  if (reqs.some((r) => r.signed.length < r.threshold)) {
    await writeStaged(ctx, staged);
    return { published: false, versions: {}, requirements: reqs };
  }
  const result = await publishSigned(
    ctx,
    repo,
    {
      description: staged.description,
      ...(staged.root === undefined ? {} : { root: staged.root }),
      targetsRoles: staged.targetsRoles,
      targetFiles: [], // stored when the change was staged
    },
    reqs,
  );
  await discardStaged(ctx);
  return result;
}

/** Requirements of a staged change now (for `metadata status`-like reports). */
export async function stagedRequirements(ctx: RepoContext, staged: StagedChange): Promise<StagedRequirement[]> {
  const repo = await LoadedRepository.load(ctx.store);
  return (await requirementsOf(repo, staged.root, staged.targetsRoles)).map(toRequirement);
}

/**
 * Run `fn` holding the repository lock (`shared`: beside other signers, see LockMode). A transactional store keeps
 * what `fn` wrote when it returns, or when it staged a change (E_TUF_STAGED is reported as an error but the
 * staged change is the result), and drops it on any other failure.
 */
export async function withLock<T>(ctx: RepoContext, fn: () => Promise<T>, mode: LockMode = 'exclusive'): Promise<T> {
  const release = await ctx.store.lock(mode, ctx.notice);
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    await release(e instanceof CnabTrustError && e.code === 'E_TUF_STAGED').catch(() => undefined);
    throw e;
  }
  await release(true);
  return result;
}

export { stagedRoles };
