/**
 * Our TUF client: the tuf-js 5.0.1 `Updater` (TUF client workflow 5.1–5.7) over a repository that is either an
 * http(s) URL or a directory, with
 *  - a trusted-metadata directory (`cacheDir`) that persists the trusted root, timestamp, snapshot and targets
 *    between runs (rollback protection needs it), or a temporary one removed by `close()`;
 *  - an injectable clock (`now`) for the expiry checks;
 *  - every failure turned into a `CnabTrustError` naming the role or target at fault.
 *
 * The verification decisions are tuf-js's; this module only feeds it and names its verdicts.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { makeTempDir, removeTempDir } from '../fs/temp-dir.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Updater, type TargetFile } from 'tuf-js';
import { Metadata, MetadataKind } from '@tufjs/models';
import { assertDistinctKeyThreshold, delegationOf, type AnyMetadata } from '../../core/tuf/distinct-keys.js';
import { privateKeyError, privateKeyMaterialIn } from '../../core/crypto/key-files.js';
import { CnabTrustError } from '../../core/errors.js';
import { writeFileAtomic, writeFileAtomicSync } from '../fs/index.js';
import { ensureCacheDir, lockCacheDir, type CacheLockOptions } from './metadata-cache.js';
import { RoutingFetcher, type HttpOptions } from './routing-fetcher.js';
import { toTufError, type FailureContext } from './tuf-js-errors.js';
import { checkTrustedRootFile } from '../../core/tuf/trusted-root.js';

/** A target the repository signed, as `tuf get --json` prints it. */
export interface TrustedTarget {
  name: string;
  length: number;
  hashes: Record<string, string>;
  custom: Record<string, unknown>;
}

/** Size bounds for metadata files whose length no trusted metadata states (tuf-js defaults in brackets). */
export interface MetadataLimits {
  /** [512000] */
  rootMaxLength?: number;
  /** [16384] */
  timestampMaxLength?: number;
  /** [2000000] */
  snapshotMaxLength?: number;
  /** [5000000] */
  targetsMaxLength?: number;
}

export interface TufClientOptions {
  /** The bootstrap trusted root (bytes of a root.json). Optional when `cacheDir` already holds a root.json. */
  trustedRoot?: Uint8Array;
  /** Where `trustedRoot` was read (the --trusted-root file), named when it is not root metadata. */
  trustedRootSource?: string;
  /** Where the metadata is: an http(s) URL or a directory. */
  metadata: string;
  /** Where target files are: an http(s) URL or a directory (default: `<metadata>/targets`). */
  targets?: string;
  /** Directory of trusted metadata kept between runs; default a temporary directory removed by `close()`. */
  cacheDir?: string;
  /** How long to wait for another client holding `cacheDir`. */
  cacheLock?: CacheLockOptions;
  /** The clock for expiry checks (TUF client workflow 5.1: fixed at the start of the update). */
  now?: () => Date;
  limits?: MetadataLimits;
  http?: HttpOptions;
  /**
   * After a lookup found nothing, look for a role that lists the target without being delegated its path, to
   * report E_TUF_DELEGATION instead of E_TUF_TARGET_NOT_FOUND (default true). The verdict is the same either way;
   * the diagnosis fetches the metadata of delegated roles the TUF walk skipped, so turn it off where the requests
   * a client makes are observed (the conformance suite counts them).
   */
  diagnoseNotFound?: boolean;
}

export function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** The default place of target files: `targets/` under the metadata location. */
export function defaultTargetsLocation(metadata: string): string {
  return isUrl(metadata) ? metadata.replace(/\/+$/, '') + '/targets/' : path.join(metadata, 'targets');
}

export class TufClient {
  private refreshed = false;

  private constructor(
    private readonly updater: Updater,
    private readonly fetcher: RoutingFetcher,
    private readonly targetsBaseUrl: string,
    /** The temporary trusted-metadata directory to remove on close, if we made one. */
    private readonly tempDir: string | undefined,
    readonly metadataDir: string,
    private readonly diagnoseNotFound: boolean,
    /** Releases the persistent cache's lock. */
    private readonly unlock: (() => Promise<void>) | undefined,
  ) {}

  /** Prepare a client: load the trusted root (TUF client workflow 5.2); no request is made yet. */
  static async open(options: TufClientOptions): Promise<TufClient> {
    for (const location of [options.metadata, options.targets]) {
      if (location !== undefined && !isUrl(location) && !existsSync(location)) {
        throw new CnabTrustError('E_FILE_NOT_FOUND', 'repository directory does not exist', { subject: location });
      }
    }
    let tempDir: string | undefined;
    let metadataDir: string;
    let unlock: (() => Promise<void>) | undefined;
    if (options.cacheDir !== undefined) {
      metadataDir = options.cacheDir;
      await ensureCacheDir(metadataDir);
      // one client at a time per trusted-metadata directory (concurrent verifiers share a persistent cache)
      unlock = await lockCacheDir(metadataDir, options.cacheLock);
    } else {
      tempDir = await makeTempDir('tuf');
      metadataDir = tempDir;
    }
    try {
      const rootFile = path.join(metadataDir, 'root.json');
      // the trusted-metadata directory's root.json is the newest root this client trusts (rotations persist);
      // the bootstrap root seeds it on first use
      let seeded = false;
      if (!existsSync(rootFile)) {
        if (options.trustedRoot === undefined) {
          throw new CnabTrustError('E_USAGE', 'no trusted root: give --trusted-root', { subject: rootFile });
        }
        // a trusted root lists public keys: private key material in it is a mistake that would spread the key
        const secret = privateKeyMaterialIn(options.trustedRoot);
        if (secret !== undefined) throw privateKeyError(options.trustedRootSource ?? 'the trusted root', '--trusted-root', secret);
        checkTrustedRootFile(options.trustedRoot, options.trustedRootSource ?? 'the trusted root');
        await writeFileAtomic(rootFile, options.trustedRoot);
        seeded = true;
      }
      const fetcher = new RoutingFetcher(options.http);
      const metadataBaseUrl = fetcher.baseUrlFor(options.metadata);
      const targetsBaseUrl = fetcher.baseUrlFor(options.targets ?? defaultTargetsLocation(options.metadata));
      let updater: Updater;
      try {
        updater = new Updater({
          metadataDir,
          metadataBaseUrl,
          targetBaseUrl: targetsBaseUrl,
          fetcher,
          config: { ...options.limits, fetchRetry: options.http?.retries ?? 2 },
        });
      } catch (e) {
        // TUF client workflow 5.2: the trusted root must verify itself; a bad bootstrap root must not stay cached
        if (seeded) await rm(rootFile, { force: true });
        throw toTufError(e, { phase: 'refresh', lastRole: 'root' });
      }
      if (options.now !== undefined) setReferenceTime(updater, options.now());
      persistAtomically(updater, metadataDir);
      return new TufClient(updater, fetcher, targetsBaseUrl, tempDir, metadataDir, options.diagnoseNotFound ?? true, unlock);
    } catch (e) {
      if (tempDir !== undefined) await removeTempDir(tempDir);
      await unlock?.();
      throw e;
    }
  }

  /** TUF client workflow 5.3–5.6: update root, timestamp, snapshot and top-level targets. */
  async refresh(): Promise<void> {
    await this.run({ phase: 'refresh' }, () => this.updateInOrder());
    this.checkDistinctKeyThresholds();
    this.refreshed = true;
  }

  /**
   * tuf-js's `refresh` (5.3 root, 5.4 timestamp, 5.5 snapshot, 5.6 targets) with TUF 5.3.11 between root and
   * timestamp, which tuf-js 5.0.1 leaves out: after a rotation of the timestamp or snapshot keys, the trusted
   * timestamp and snapshot are deleted, so that a client fast-forwarded by a compromised key (a timestamp naming
   * snapshot version 1000) recovers once the repository rotates that key, instead of failing as a rollback forever.
   */
  private async updateInOrder(): Promise<void> {
    const internals = this.updater as unknown as {
      loadRoot?: () => Promise<void>;
      loadTimestamp?: () => Promise<void>;
      loadSnapshot?: () => Promise<void>;
      loadTargets?: (role: string, parent: string) => Promise<unknown>;
      trustedSet?: { root?: AnyMetadata };
    };
    const { loadRoot, loadTimestamp, loadSnapshot, loadTargets } = internals;
    const before = internals.trustedSet?.root;
    if (loadRoot === undefined || loadTimestamp === undefined || loadSnapshot === undefined || loadTargets === undefined || before === undefined) {
      throw new CnabTrustError('E_INTERNAL', 'cannot run the TUF update steps on this tuf-js version', { subject: 'tuf-js' });
    }
    await loadRoot.call(this.updater); // 5.3.1-5.3.10
    await this.forgetAfterKeyRotation(before, internals.trustedSet!.root!); // 5.3.11
    await loadTimestamp.call(this.updater); // 5.4
    await loadSnapshot.call(this.updater); // 5.5
    await loadTargets.call(this.updater, 'targets', 'root'); // 5.6
  }

  /**
   * TUF 5.3.11: if the timestamp and / or snapshot keys have been rotated, delete the trusted timestamp and
   * snapshot metadata files. "Rotated" is judged two ways: the root this update started from and the root it ended
   * with give the role other keys or another threshold; or a trusted file no longer verifies under the final root
   * (the rotation happened in an earlier run that stopped before it wrote a new timestamp: root is persisted first).
   */
  private async forgetAfterKeyRotation(before: AnyMetadata, after: AnyMetadata): Promise<void> {
    const rotated = ['timestamp', 'snapshot'].some((role) => {
      const a = delegationOf(before, role);
      const b = delegationOf(after, role);
      return a === undefined || b === undefined || a.threshold !== b.threshold || [...a.keyids].sort().join() !== [...b.keyids].sort().join();
    });
    const stale = rotated || !(await this.trustedFileVerifies('timestamp', after)) || !(await this.trustedFileVerifies('snapshot', after));
    if (!stale) return;
    for (const role of ['timestamp', 'snapshot']) await rm(path.join(this.metadataDir, `${role}.json`), { force: true });
  }

  /** Whether the trusted `<role>.json` is absent, unreadable (tuf-js then ignores it), or verifies under `root`. */
  private async trustedFileVerifies(role: 'timestamp' | 'snapshot', root: AnyMetadata): Promise<boolean> {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path.join(this.metadataDir, `${role}.json`), 'utf8'));
    } catch {
      return true;
    }
    try {
      const md: AnyMetadata =
        role === 'timestamp' ? Metadata.fromJSON(MetadataKind.Timestamp, json as never) : Metadata.fromJSON(MetadataKind.Snapshot, json as never);
      assertDistinctKeyThreshold(root, role, md);
      return true;
    } catch {
      return false;
    }
  }

  /** TUF client workflow 5.6.7: the target as signed by the most trusted role delegated its path. */
  async getTarget(name: string): Promise<TrustedTarget> {
    return toTrustedTarget(await this.targetFile(name));
  }

  /**
   * The target and the role whose listing the client trusted for it (`targets` for the top-level role,
   * `targets/releases`, ...). CNAB-Sec 301 trusts in-toto layout keys only when the top-level `targets` role signs
   * them, so the verifier must know which role did.
   */
  async getTargetWithRole(name: string): Promise<{ target: TrustedTarget; role: string }> {
    const info = await this.targetFile(name);
    const role = await this.run({ phase: 'lookup', target: name }, () => this.listingRole(name));
    if (role === undefined) {
      throw new CnabTrustError('E_INTERNAL', `the role that signs ${name} could not be found again`, { subject: name });
    }
    return { target: toTrustedTarget(info), role };
  }

  /** Download a target file to `destination`, verified against the signed length and hashes (5.7.3). */
  async downloadTarget(name: string, destination: string): Promise<{ target: TrustedTarget; path: string }> {
    const info = await this.targetFile(name);
    await mkdir(path.dirname(destination), { recursive: true });
    await this.run({ phase: 'download', target: name }, () =>
      this.updater.downloadTarget(info, destination, this.targetsBaseUrl),
    );
    return { target: toTrustedTarget(info), path: destination };
  }

  /** The bytes of a target file, verified against the signed length and hashes (5.7.3). */
  async readTarget(name: string): Promise<{ target: TrustedTarget; bytes: Buffer }> {
    const dir = await makeTempDir('target');
    try {
      const { target, path: file } = await this.downloadTarget(name, path.join(dir, 'target'));
      return { target, bytes: await readFile(file) };
    } finally {
      await removeTempDir(dir);
    }
  }

  /** A previously downloaded copy of the target at `file`, if it still matches the signed length and hashes. */
  async cachedTarget(name: string, file: string): Promise<string | undefined> {
    const info = await this.targetFile(name);
    return this.updater.findCachedTarget(info, file);
  }

  async close(): Promise<void> {
    if (this.tempDir !== undefined) await removeTempDir(this.tempDir);
    await this.unlock?.();
  }

  private async targetFile(name: string): Promise<TargetFile> {
    if (!this.refreshed) await this.refresh();
    const info = await this.run({ phase: 'lookup', target: name }, () => this.updater.getTargetInfo(name));
    this.checkDistinctKeyThresholds();
    if (info === undefined) {
      const lister = this.diagnoseNotFound ? await this.undelegatedLister(name) : undefined;
      if (lister !== undefined) {
        throw new CnabTrustError('E_TUF_DELEGATION', `target ${name} is listed by ${lister}, which is not delegated its path`, {
          subject: lister,
          hint: 'a role may only sign targets whose paths its delegation grants; this listing is not trusted',
          details: { target: name, role: lister },
        });
      }
      throw new CnabTrustError('E_TUF_TARGET_NOT_FOUND', `no trusted role signs target ${name}`, {
        subject: name,
        hint: 'check the target name (<gun>:<tag>) and that the release was signed into this repository',
      });
    }
    return info;
  }

  /**
   * The role whose listing tuf-js's lookup returned: the same preorder depth-first walk (TUF client workflow 5.6.7,
   * delegations in order, a terminating delegation ends the search), over the metadata the updater has already
   * loaded and verified (its `loadTargets` answers from the trusted set). tuf-js 5.0.1 returns the target file
   * but not the role, and has no public walk, hence this small re-walk.
   */
  private async listingRole(name: string): Promise<string | undefined> {
    const internals = this.updater as unknown as {
      loadTargets?: (role: string, parent: string) => Promise<{ signed: TargetsLike } | undefined>;
      config?: { maxDelegations?: number };
    };
    if (typeof internals.loadTargets !== 'function') {
      throw new CnabTrustError('E_INTERNAL', 'cannot walk the delegations on this tuf-js version', { subject: 'tuf-js' });
    }
    const limit = internals.config?.maxDelegations ?? 32;
    const stack: Array<{ role: string; parent: string }> = [{ role: 'targets', parent: 'root' }];
    const visited = new Set<string>();
    while (stack.length > 0 && visited.size <= limit) {
      const { role, parent } = stack.pop()!;
      if (visited.has(role)) continue; // 5.6.7.1: skip visited roles
      const signed = (await internals.loadTargets.call(this.updater, role, parent))?.signed;
      if (signed === undefined) continue;
      if (signed.targets?.[name] !== undefined) return role;
      visited.add(role);
      const children: Array<{ role: string; parent: string }> = [];
      for (const child of signed.delegations?.rolesForTarget?.(name) ?? []) {
        children.push({ role: child.role, parent: role });
        if (child.terminating) {
          stack.length = 0; // 5.6.7.2.1: a terminating delegation ends the search
          break;
        }
      }
      stack.push(...children.reverse());
    }
    return undefined;
  }

  /**
   * Diagnosis after a failed lookup: does some delegated role list the target although its delegation does not
   * cover the path? (TUF client workflow 5.6.7 rightly ignores such a listing; we only name the culprit.)
   * Walks the delegation graph regardless of paths, bounded by tuf-js's maxDelegations; any failure ends it.
   */
  private async undelegatedLister(name: string): Promise<string | undefined> {
    const internals = this.updater as unknown as {
      loadTargets?: (role: string, parent: string) => Promise<{ signed: TargetsLike } | undefined>;
      config?: { maxDelegations?: number };
    };
    if (typeof internals.loadTargets !== 'function') return undefined;
    const limit = internals.config?.maxDelegations ?? 32;
    const queue: Array<{ role: string; parent: string }> = [{ role: 'targets', parent: 'root' }];
    const seen = new Set<string>();
    while (queue.length > 0 && seen.size <= limit) {
      const { role, parent } = queue.shift()!;
      if (seen.has(role)) continue;
      seen.add(role);
      let signed: TargetsLike | undefined;
      try {
        signed = (await internals.loadTargets.call(this.updater, role, parent))?.signed;
      } catch {
        continue;
      }
      if (signed === undefined) continue;
      if (role !== 'targets' && signed.targets?.[name] !== undefined) return role;
      for (const child of Object.keys(signed.delegations?.roles ?? {})) queue.push({ role: child, parent: role });
    }
    return undefined;
  }

  /**
   * TUF 5.3.4, 5.4.2, 5.5.3, 5.6.3 and 5.6.7.2 count signatures by distinct keys; tuf-js 5.0.1 counts keyids
   * (`Metadata.verifyDelegate`), so every role it trusted is counted again here by public key
   * (core/tuf/distinct-keys.ts): one key listed under two keyids meets no threshold of 2. A delegated role is
   * checked against every trusted role that delegates it; one must hold.
   */
  private checkDistinctKeyThresholds(): void {
    const set = (this.updater as unknown as { trustedSet?: { trustedSet?: Record<string, AnyMetadata | undefined> } }).trustedSet?.trustedSet;
    if (set?.root === undefined) {
      throw new CnabTrustError('E_INTERNAL', 'cannot read the trusted metadata of this tuf-js version', { subject: 'tuf-js' });
    }
    const top = ['root', 'timestamp', 'snapshot', 'targets'];
    for (const role of top) {
      const md = set[role];
      if (md !== undefined) assertDistinctKeyThreshold(set.root, role, md);
    }
    for (const [role, md] of Object.entries(set)) {
      if (top.includes(role) || md === undefined) continue;
      const parents = Object.entries(set).filter(([name, p]) => name !== 'root' && p !== undefined && delegationOf(p, role) !== undefined);
      let failure: unknown;
      const held = parents.some(([, p]) => {
        try {
          assertDistinctKeyThreshold(p!, role, md);
          return true;
        } catch (e) {
          failure = e;
          return false;
        }
      });
      if (!held && failure !== undefined) throw failure;
    }
  }

  private async run<T>(ctx: FailureContext, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const lastRole = this.fetcher.lastRole();
      const url = this.fetcher.lastUrl;
      throw toTufError(e, { ...ctx, ...(lastRole === undefined ? {} : { lastRole }), ...(url === undefined ? {} : { url }) });
    }
  }
}

interface TargetsLike {
  targets?: Record<string, unknown>;
  delegations?: {
    roles?: Record<string, unknown>;
    rolesForTarget?: (name: string) => Iterable<{ role: string; terminating: boolean }>;
  };
}

function toTrustedTarget(info: TargetFile): TrustedTarget {
  return { name: info.path, length: info.length, hashes: { ...info.hashes }, custom: { ...info.custom } };
}

/**
 * tuf-js 5.0.1 persists trusted metadata with `fs.writeFileSync` in place (`Updater.persistMetadata`): a crash or a
 * concurrent reader can see a torn `root.json` or `timestamp.json`. Write each file to a temporary file and rename
 * it into place instead (same names: `encodeURIComponent(role).json`). Checked at run time like the clock.
 */
function persistAtomically(updater: Updater, dir: string): void {
  const internals = updater as unknown as { persistMetadata?: (name: string, bytes: Buffer) => void };
  if (typeof internals.persistMetadata !== 'function') {
    throw new CnabTrustError('E_INTERNAL', 'cannot make TUF metadata writes atomic on this tuf-js version', { subject: 'tuf-js' });
  }
  internals.persistMetadata = (name: string, bytes: Buffer): void => {
    writeFileAtomicSync(path.join(dir, `${encodeURIComponent(name)}.json`), bytes);
  };
}

/**
 * Inject the clock: tuf-js 5.0.1 fixes the reference time of an update (TUF client workflow 5.1) as
 * `new Date()` in its trusted-metadata store, which every expiry check reads, and offers no option for it.
 * We set that field right after construction. Checked at run time so that a tuf-js change fails loudly
 * instead of silently ignoring the clock.
 */
function setReferenceTime(updater: Updater, now: Date): void {
  const store = (updater as unknown as { trustedSet?: { referenceTime?: unknown } }).trustedSet;
  if (store === undefined || !(store.referenceTime instanceof Date)) {
    throw new CnabTrustError('E_INTERNAL', 'cannot set the TUF reference time on this tuf-js version', {
      subject: 'tuf-js',
    });
  }
  store.referenceTime = now;
}
