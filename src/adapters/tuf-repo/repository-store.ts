/**
 * What the repository engine (adapters/tuf-repo/repository.ts) needs of the place a TUF repository lives: reading the
 * current metadata, writing a publication in the client-safe order, the repository lock, and the writer's
 * private state (config, staged change). The directory store (dir-store.ts) is the embedded default.
 */
import type { Readable } from 'node:stream';
import type { Metadata, Root, Snapshot, Targets, Timestamp } from '@tufjs/models';

/** One publication: everything a change writes, in no particular order (the store orders it). */
export interface Publication {
  targetFiles?: { name: string; sha256: string; bytes: Uint8Array }[];
  targetsRoles?: { role: string; version: number; bytes: Uint8Array }[];
  snapshot?: { version: number; bytes: Uint8Array };
  timestamp?: Uint8Array;
  root?: { version: number; bytes: Uint8Array };
}

export interface WriteStats {
  files: number;
  bytes: number;
}

/** A file of the repository as a static server answers a request path for it. */
export type StoreFile = { kind: 'file'; path: string; size: number; open: () => Readable } | { kind: 'missing' } | { kind: 'refused'; reason: string };

/** How long a writer waited for, and then held, the lock of the step all signers share (snapshot, timestamp). */
export interface StoreTimings {
  onlineLockWaitMs?: number;
  onlineLockHeldMs?: number;
}

/**
 * How a writer locks: `exclusive` (init, rotation, refresh, rebin, staged changes) is alone; `shared` (sign) may
 * run beside other shared writers of a store that supports it, locking the targets roles it changes
 * (`lockRoles`) and, when it publishes, snapshot and timestamp (`lockOnline`). A store without those methods
 * treats `shared` as `exclusive`.
 */
export type LockMode = 'exclusive' | 'shared';

export interface RepositoryStore {
  /** Where the repository is, for messages and reports: a directory, or a URL without its password. */
  readonly location: string;
  /** Bytes and files written since the store was opened (for `bench/tuf-sign`). */
  readonly written: WriteStats;

  exists(): Promise<boolean>;
  /** The repository must exist (E_TUF_REPOSITORY with a hint to run init). */
  requireExisting(): Promise<void>;

  /** The newest root, or the given version. */
  readRoot(version?: number): Promise<Metadata<Root>>;
  readTimestamp(): Promise<Metadata<Timestamp>>;
  readSnapshot(version: number): Promise<Metadata<Snapshot>>;
  readTargetsRole(role: string, version: number): Promise<{ md: Metadata<Targets>; bytes: number }>;
  readTargetFile(name: string, sha256: string, maxBytes: number): Promise<Buffer>;

  /** Write a publication so that no client ever sees a file naming one not yet visible. */
  publish(p: Publication): Promise<void>;
  /**
   * A private copy of the repository with `p` applied, where a client can check the new state before anyone else
   * sees it (`pipeline`); `drop` removes it. Optional: a store without it cannot run a checked publication.
   */
  stage?(p: Publication): Promise<{ location: string; drop(): Promise<void> }>;
  /** Store target files only (content-addressed, so harmless before they are signed: staged changes). */
  writeTargetFiles(files: NonNullable<Publication['targetFiles']>): Promise<void>;

  /** Where a piece of private state is kept, for messages. */
  stateLocation(name: string): string;
  readState(name: string, maxBytes?: number): Promise<Buffer | undefined>;
  writeState(name: string, bytes: Uint8Array | string): Promise<void>;
  removeState(name: string): Promise<void>;

  /**
   * Take the repository lock. Fails with E_TUF_LOCKED when another writer holds it (or holds it too long); returns
   * the function that releases it: `keep` false drops what a transactional store wrote under the lock. A store
   * that breaks a stale lock (its holder is gone) says so through `onNotice`.
   */
  lock(mode?: LockMode, onNotice?: (message: string) => void): Promise<(keep?: boolean) => Promise<void>>;
  /**
   * Under a shared lock: lock the targets roles this writer will change and return their current versions, which
   * may be newer than the snapshot read before (another signer published in between).
   */
  lockRoles?(roles: string[]): Promise<Map<string, number>>;
  /** Under a shared lock, before publishing: lock snapshot and timestamp and return the current ones. */
  lockOnline?(): Promise<{ snapshot: Metadata<Snapshot>; timestamp: Metadata<Timestamp> }>;
  /** Lock timings of the last writer (stores that share the lock between signers). */
  readonly timings?: StoreTimings;
  /** A store that is not itself a directory: the file a request path names, as a static server would answer. */
  resolveFile?(urlPath: string): Promise<StoreFile>;
  /** A store that is not itself a directory: every file, one consistent view, in the client-safe order. */
  files?(): AsyncGenerator<{ path: string; bytes: Buffer; mutable: boolean }>;
  /** Let go of connections and handles (nothing to do for a directory). */
  close(): Promise<void>;
}
